/*
 * sekimori-queue - the operator's view of the mail queue.
 *
 *	sekimori-queue [-c CONFIG.json | -S SOCKET] list
 *	sekimori-queue [...] show ID | hold ID | release ID | delete ID
 *	sekimori-queue [...] flush [ID]
 *	sekimori-queue [...] quarantine list [since=T] [until=T] [from=S]
 *	                     [to=S] [reason=S]
 *	sekimori-queue [...] quarantine show|download|release|delete ID
 *
 * "quarantine download ID > x.eml" writes the message exactly as it
 * would be delivered (the queue's CTL_DATA octets, unchanged).
 *
 * It asks the running queue process over its control socket,
 * ROOT/data/spool/control, where ROOT is the config's mail
 * root-directory ("/" on the appliance). The config is read from
 * -c FILE, default /config/startup.json (the appliance's startup
 * config); -S names the socket directly and reads no config.
 *
 * Exit status: 0 when the queue did what was asked, 1 otherwise (usage,
 * config, connection or the queue's refusal, each with one line on
 * standard error).
 *
 * Untrusted input: the command line (checked by queue_ctl_parse before
 * anything is sent), the config file (firmware/config), and the queue's
 * answers (printed with control characters replaced). Runs as the
 * invoking user; the socket is 0600, so that is root or the queue's user.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../config/config.h"
#include "queue_ctl.h"
#include "queue_ctlcli.h"
#include "version.h"

#define SEKIMORI_QUEUE_CONFIG "/config/startup.json"
#define SEKIMORI_QUEUE_SOCKET "/data/spool/control" /* a model path */
#define SEKIMORI_QUEUE_EXIT_FAIL 1

/* struct config is large: static, not on the stack */
static struct config sekimori_queue_cfg;

static void
sekimori_queue_usage(FILE *f)
{
	fprintf(f,
	    "usage: sekimori-queue [-c CONFIG.json | -S SOCKET] COMMAND\n"
	    "  list                one line per queued message\n"
	    "  show ID             envelope, recipients, header\n"
	    "  hold ID | release ID\n"
	    "  delete ID           remove without a bounce\n"
	    "  flush [ID]          deferred mail is due now\n"
	    "  quarantine list [since=UNIXTIME] [until=UNIXTIME] [from=TEXT]\n"
	    "                  [to=TEXT] [reason=TEXT]\n"
	    "                      quarantined messages (filters: all must "
	    "match)\n"
	    "  quarantine show ID  envelope, reason, header, MIME parts\n"
	    "  quarantine download ID > FILE.eml\n"
	    "                      the message as it would be delivered\n"
	    "  quarantine release ID | quarantine delete ID\n"
	    "  -c FILE   config (default " SEKIMORI_QUEUE_CONFIG ")\n"
	    "  -S PATH   the queue's control socket (no config read)\n");
}

/* sekimori_queue_socket - the control socket from the config */
static int
sekimori_queue_socket(const char *config, char *out, size_t size)
{
	struct config_schema *schema;
	char err[CONFIG_ERR_MAX];

	if (config_schema_new(&schema, err, sizeof(err)) != SK_OK) {
		fprintf(stderr, "sekimori-queue: %s\n", err);
		return -1;
	}
	if (config_load_file(schema, config, &sekimori_queue_cfg, err,
		sizeof(err)) != SK_OK) {
		fprintf(stderr, "sekimori-queue: %s\n", err);
		config_schema_free(schema);
		return -1;
	}
	config_schema_free(schema);
	if (config_path(&sekimori_queue_cfg, SEKIMORI_QUEUE_SOCKET, out,
		size) != SK_OK) {
		fprintf(stderr, "sekimori-queue: root-directory too long\n");
		return -1;
	}
	return 0;
}

/* sekimori_queue_word - one word of the request; a filter whose value
 * has spaces (reason="virus found", one shell word) is quoted */
static int
sekimori_queue_word(const char *word, int first, char *out, size_t size)
{
	const char *eq = strchr(word, '=');

	if (eq != NULL && strchr(word, ' ') != NULL &&
	    strchr(word, '"') == NULL) {
		return snprintf(out, size, "%s%.*s\"%s\"", first ? "" : " ",
		    (int)(eq + 1 - word), word, eq + 1);
	}
	return snprintf(out, size, "%s%s", first ? "" : " ", word);
}

/* sekimori_queue_request - the words of the command as one request */
static int
sekimori_queue_request(int argc, char **argv, char *out, size_t size)
{
	struct queue_ctl_req req;
	size_t n = 0;
	int i, k;

	for (i = 0; i < argc; i++) {
		k = sekimori_queue_word(argv[i], i == 0, out + n, size - n);
		if (k < 0 || (size_t)k >= size - n) {
			fprintf(stderr, "sekimori-queue: command too long\n");
			return -1;
		}
		n += (size_t)k;
	}
	switch (queue_ctl_parse(out, n, &req)) {
	case SK_OK:
		return 0;
	case SK_E_UNKNOWN:
		fprintf(stderr, "sekimori-queue: unknown command \"%s\"\n",
		    argv[0]);
		break;
	default:
		if (req.cmd == QUEUE_CTL_QLIST) {
			fprintf(stderr,
			    "sekimori-queue: quarantine: a command (list, "
			    "show, ...), and filters as since=UNIXTIME or "
			    "from=TEXT, each once\n");
			break;
		}
		fprintf(stderr,
		    "sekimori-queue: %s: a queue id is 16 characters of "
		    "0-9 and A-V\n",
		    argv[0]);
		break;
	}
	sekimori_queue_usage(stderr);
	return -1;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = SEKIMORI_QUEUE_CONFIG, *sock = NULL;
	char path[CONFIG_PATH_SIZE + 32], request[QUEUE_CTL_REQUEST_MAX];
	int c;

	while ((c = getopt_long(argc, argv, "c:S:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'S':
			sock = optarg;
			break;
		case 'h':
			sekimori_queue_usage(stdout);
			return 0;
		case 'V':
			printf("sekimori-queue %s %s\n", SK_PRODUCT,
			    SK_VERSION);
			return 0;
		default:
			sekimori_queue_usage(stderr);
			return SEKIMORI_QUEUE_EXIT_FAIL;
		}
	}
	if (optind >= argc) {
		sekimori_queue_usage(stderr);
		return SEKIMORI_QUEUE_EXIT_FAIL;
	}
	if (sekimori_queue_request(argc - optind, argv + optind, request,
		sizeof(request)) == -1) {
		return SEKIMORI_QUEUE_EXIT_FAIL;
	}
	if (sock == NULL) {
		if (sekimori_queue_socket(config, path, sizeof(path)) == -1) {
			return SEKIMORI_QUEUE_EXIT_FAIL;
		}
		sock = path;
	}
	return queue_ctlcli_run(sock, request, stdout, stderr);
}
