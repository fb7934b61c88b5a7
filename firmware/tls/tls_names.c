/*
 * tls_names.c - versions, alerts and BearSSL errors as text for logs.
 */
#include <stdio.h>

#include <bearssl.h>

#include "sk.h"
#include "tls_names.h"

const char *
tls_names_version(unsigned version)
{
	switch (version) {
	case BR_TLS10:
		return "TLSv1";
	case BR_TLS11:
		return "TLSv1.1";
	case BR_TLS12:
		return "TLSv1.2";
	default:
		return "unknown";
	}
}

struct tls_code_name {
	int code;
	const char *name;
	const char *text;
};

/* BearSSL's codes (bearssl_ssl.h, bearssl_x509.h), explained for logs. */
static const struct tls_code_name tls_names_errors[] = {
	{ BR_ERR_OK, "OK", "closed normally" },
	{ BR_ERR_BAD_PARAM, "BAD_PARAM", "peer sent an invalid value" },
	{ BR_ERR_BAD_STATE, "BAD_STATE", "engine used in the wrong state" },
	{ BR_ERR_UNSUPPORTED_VERSION, "UNSUPPORTED_VERSION",
	    "no protocol version in common" },
	{ BR_ERR_BAD_VERSION, "BAD_VERSION",
	    "record with an unexpected version" },
	{ BR_ERR_BAD_LENGTH, "BAD_LENGTH", "record with an invalid length" },
	{ BR_ERR_TOO_LARGE, "TOO_LARGE", "record too large for the buffer" },
	{ BR_ERR_BAD_MAC, "BAD_MAC", "record failed its integrity check" },
	{ BR_ERR_NO_RANDOM, "NO_RANDOM",
	    "no entropy for the random generator" },
	{ BR_ERR_UNKNOWN_TYPE, "UNKNOWN_TYPE", "record of an unknown type" },
	{ BR_ERR_UNEXPECTED, "UNEXPECTED", "unexpected message" },
	{ BR_ERR_BAD_CCS, "BAD_CCS", "invalid ChangeCipherSpec" },
	{ BR_ERR_BAD_ALERT, "BAD_ALERT", "invalid alert message" },
	{ BR_ERR_BAD_HANDSHAKE, "BAD_HANDSHAKE",
	    "malformed handshake message" },
	{ BR_ERR_OVERSIZED_ID, "OVERSIZED_ID", "session id over 32 octets" },
	{ BR_ERR_BAD_CIPHER_SUITE, "BAD_CIPHER_SUITE",
	    "no cipher suite in common" },
	{ BR_ERR_BAD_COMPRESSION, "BAD_COMPRESSION",
	    "no compression method in common" },
	{ BR_ERR_BAD_FRAGLEN, "BAD_FRAGLEN",
	    "invalid maximum fragment length" },
	{ BR_ERR_BAD_SECRENEG, "BAD_SECRENEG",
	    "secure renegotiation check failed" },
	{ BR_ERR_EXTRA_EXTENSION, "EXTRA_EXTENSION",
	    "extension the client did not ask for" },
	{ BR_ERR_BAD_SNI, "BAD_SNI", "invalid server name indication" },
	{ BR_ERR_BAD_HELLO_DONE, "BAD_HELLO_DONE", "invalid ServerHelloDone" },
	{ BR_ERR_LIMIT_EXCEEDED, "LIMIT_EXCEEDED",
	    "an internal limit was hit" },
	{ BR_ERR_BAD_FINISHED, "BAD_FINISHED", "Finished message mismatch" },
	{ BR_ERR_RESUME_MISMATCH, "RESUME_MISMATCH",
	    "resumed session parameters differ" },
	{ BR_ERR_INVALID_ALGORITHM, "INVALID_ALGORITHM",
	    "unsupported or invalid algorithm" },
	{ BR_ERR_BAD_SIGNATURE, "BAD_SIGNATURE",
	    "invalid signature on key exchange" },
	{ BR_ERR_WRONG_KEY_USAGE, "WRONG_KEY_USAGE",
	    "key not allowed for this use" },
	{ BR_ERR_NO_CLIENT_AUTH, "NO_CLIENT_AUTH",
	    "client certificate required" },
	{ BR_ERR_IO, "IO", "I/O error" },
	{ BR_ERR_X509_OK, "X509_OK", "certificate verified" },
	{ BR_ERR_X509_INVALID_VALUE, "X509_INVALID_VALUE",
	    "invalid value in a certificate" },
	{ BR_ERR_X509_TRUNCATED, "X509_TRUNCATED", "certificate truncated" },
	{ BR_ERR_X509_EMPTY_CHAIN, "X509_EMPTY_CHAIN",
	    "peer sent no certificate" },
	{ BR_ERR_X509_INNER_TRUNC, "X509_INNER_TRUNC",
	    "certificate element truncated" },
	{ BR_ERR_X509_BAD_TAG_CLASS, "X509_BAD_TAG_CLASS",
	    "certificate: bad ASN.1 tag class" },
	{ BR_ERR_X509_BAD_TAG_VALUE, "X509_BAD_TAG_VALUE",
	    "certificate: bad ASN.1 tag" },
	{ BR_ERR_X509_INDEFINITE_LENGTH, "X509_INDEFINITE_LENGTH",
	    "certificate: indefinite length" },
	{ BR_ERR_X509_EXTRA_ELEMENT, "X509_EXTRA_ELEMENT",
	    "certificate: unexpected element" },
	{ BR_ERR_X509_UNEXPECTED, "X509_UNEXPECTED",
	    "certificate: unexpected element" },
	{ BR_ERR_X509_NOT_CONSTRUCTED, "X509_NOT_CONSTRUCTED",
	    "certificate: bad ASN.1 encoding" },
	{ BR_ERR_X509_NOT_PRIMITIVE, "X509_NOT_PRIMITIVE",
	    "certificate: bad ASN.1 encoding" },
	{ BR_ERR_X509_PARTIAL_BYTE, "X509_PARTIAL_BYTE",
	    "certificate: bad BIT STRING" },
	{ BR_ERR_X509_BAD_BOOLEAN, "X509_BAD_BOOLEAN",
	    "certificate: bad BOOLEAN" },
	{ BR_ERR_X509_OVERFLOW, "X509_OVERFLOW",
	    "certificate: value too large" },
	{ BR_ERR_X509_BAD_DN, "X509_BAD_DN", "certificate: invalid name" },
	{ BR_ERR_X509_BAD_TIME, "X509_BAD_TIME",
	    "certificate: invalid validity date" },
	{ BR_ERR_X509_UNSUPPORTED, "X509_UNSUPPORTED",
	    "certificate uses an unsupported feature or algorithm" },
	{ BR_ERR_X509_LIMIT_EXCEEDED, "X509_LIMIT_EXCEEDED",
	    "certificate chain too long or too large" },
	{ BR_ERR_X509_WRONG_KEY_TYPE, "X509_WRONG_KEY_TYPE",
	    "certificate key of the wrong type" },
	{ BR_ERR_X509_BAD_SIGNATURE, "X509_BAD_SIGNATURE",
	    "certificate signature does not verify" },
	{ BR_ERR_X509_TIME_UNKNOWN, "X509_TIME_UNKNOWN",
	    "current time unknown" },
	{ BR_ERR_X509_EXPIRED, "X509_EXPIRED",
	    "certificate expired or not yet valid" },
	{ BR_ERR_X509_DN_MISMATCH, "X509_DN_MISMATCH",
	    "chain issuer and subject names do not match" },
	{ BR_ERR_X509_BAD_SERVER_NAME, "X509_BAD_SERVER_NAME",
	    "certificate does not name the server" },
	{ BR_ERR_X509_CRITICAL_EXTENSION, "X509_CRITICAL_EXTENSION",
	    "certificate has an unknown critical extension" },
	{ BR_ERR_X509_NOT_CA, "X509_NOT_CA",
	    "certificate signed by a non-CA certificate" },
	{ BR_ERR_X509_FORBIDDEN_KEY_USAGE, "X509_FORBIDDEN_KEY_USAGE",
	    "certificate key usage forbids TLS" },
	{ BR_ERR_X509_WEAK_PUBLIC_KEY, "X509_WEAK_PUBLIC_KEY",
	    "certificate key too small" },
	{ BR_ERR_X509_NOT_TRUSTED, "X509_NOT_TRUSTED",
	    "certificate chain does not lead to a trusted CA" },
};

/* RFC 5246 7.2 alert descriptions (the ones BearSSL knows) */
static const struct tls_code_name tls_names_alerts[] = {
	{ BR_ALERT_CLOSE_NOTIFY, "close_notify", NULL },
	{ BR_ALERT_UNEXPECTED_MESSAGE, "unexpected_message", NULL },
	{ BR_ALERT_BAD_RECORD_MAC, "bad_record_mac", NULL },
	{ BR_ALERT_RECORD_OVERFLOW, "record_overflow", NULL },
	{ BR_ALERT_DECOMPRESSION_FAILURE, "decompression_failure", NULL },
	{ BR_ALERT_HANDSHAKE_FAILURE, "handshake_failure", NULL },
	{ BR_ALERT_BAD_CERTIFICATE, "bad_certificate", NULL },
	{ BR_ALERT_UNSUPPORTED_CERTIFICATE, "unsupported_certificate", NULL },
	{ BR_ALERT_CERTIFICATE_REVOKED, "certificate_revoked", NULL },
	{ BR_ALERT_CERTIFICATE_EXPIRED, "certificate_expired", NULL },
	{ BR_ALERT_CERTIFICATE_UNKNOWN, "certificate_unknown", NULL },
	{ BR_ALERT_ILLEGAL_PARAMETER, "illegal_parameter", NULL },
	{ BR_ALERT_UNKNOWN_CA, "unknown_ca", NULL },
	{ BR_ALERT_ACCESS_DENIED, "access_denied", NULL },
	{ BR_ALERT_DECODE_ERROR, "decode_error", NULL },
	{ BR_ALERT_DECRYPT_ERROR, "decrypt_error", NULL },
	{ BR_ALERT_PROTOCOL_VERSION, "protocol_version", NULL },
	{ BR_ALERT_INSUFFICIENT_SECURITY, "insufficient_security", NULL },
	{ BR_ALERT_INTERNAL_ERROR, "internal_error", NULL },
	{ BR_ALERT_USER_CANCELED, "user_canceled", NULL },
	{ BR_ALERT_NO_RENEGOTIATION, "no_renegotiation", NULL },
	{ BR_ALERT_UNSUPPORTED_EXTENSION, "unsupported_extension", NULL },
	{ BR_ALERT_NO_APPLICATION_PROTOCOL, "no_application_protocol", NULL },
};

/* tls_names_find - the row of code in a table, or NULL */
static const struct tls_code_name *
tls_names_find(const struct tls_code_name *t, size_t n, int code)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (t[i].code == code) {
			return &t[i];
		}
	}
	return NULL;
}

const char *
tls_names_alert(unsigned alert)
{
	const struct tls_code_name *row;

	row = tls_names_find(tls_names_alerts, SK_NELEM(tls_names_alerts),
	    (int)alert);
	return row != NULL ? row->name : "unknown";
}

void
tls_names_error(int err, char *out, size_t size)
{
	const struct tls_code_name *row;

	/* bearssl_ssl.h: 256 + alert received, 512 + alert sent */
	if (err >= BR_ERR_SEND_FATAL_ALERT &&
	    err < BR_ERR_SEND_FATAL_ALERT + 256) {
		err -= BR_ERR_SEND_FATAL_ALERT;
		snprintf(out, size, "sent fatal alert %s (%d)",
		    tls_names_alert((unsigned)err), err);
		return;
	}
	if (err >= BR_ERR_RECV_FATAL_ALERT && err < BR_ERR_SEND_FATAL_ALERT) {
		err -= BR_ERR_RECV_FATAL_ALERT;
		snprintf(out, size, "received fatal alert %s (%d)",
		    tls_names_alert((unsigned)err), err);
		return;
	}
	row = tls_names_find(tls_names_errors, SK_NELEM(tls_names_errors), err);
	if (row == NULL) {
		snprintf(out, size, "BearSSL error %d", err);
		return;
	}
	snprintf(out, size, "%s: %s", row->name, row->text);
}
