"""A zone file for the Python drivers of the interop tests
(ci/spf-interop.sh, ci/dmarc-interop.sh: dmarc_authheaders.py,
dmarc_dnsd.py), with the answers of dns_zone.c (a TXT "SEKIMORI-TEMPFAIL"
makes every type the name has no other records of fail like SERVFAIL; a
name exists when it or a name below it has records)."""
import ipaddress
import sys

ZONE_TYPES = ("A", "AAAA", "MX", "TXT", "PTR", "CNAME")
MARKER = [b"SEKIMORI-TEMPFAIL"]


def tokens(text):
    """Tokens of a master file, with ( ) joining lines and ; comments."""
    depth = 0
    line_no = 0
    out = []
    for raw in text.split("\n"):
        line_no += 1
        i, n = 0, len(raw)
        starts_blank = raw[:1] in (" ", "\t")
        if depth == 0:
            out = [("BLANK",)] if starts_blank else []
        while i < n:
            c = raw[i]
            if c in " \t":
                i += 1
            elif c == ";":
                break
            elif c == "(":
                depth += 1
                i += 1
            elif c == ")":
                depth -= 1
                i += 1
            elif c == '"':
                j, buf = i + 1, bytearray()
                while j < n and raw[j] != '"':
                    if raw[j] == "\\" and raw[j + 1:j + 4].isdigit():
                        buf.append(int(raw[j + 1:j + 4]))
                        j += 4
                    elif raw[j] == "\\":
                        buf += raw[j + 1].encode()
                        j += 2
                    else:
                        buf += raw[j].encode()
                        j += 1
                if j >= n:
                    sys.exit("zone line %d: unterminated string" % line_no)
                out.append(("STR", bytes(buf)))
                i = j + 1
            else:
                j = i
                while j < n and raw[j] not in ' \t;()"':
                    j += 1
                out.append(("WORD", raw[i:j]))
                i = j
        if depth == 0 and [t for t in out if t[0] != "BLANK"]:
            yield line_no, out
            out = []


def load(path):
    """{(name, TYPE): [value, ...]}: TXT as a list of strings (bytes), MX
    as (preference, name), the others as text."""
    recs = {}
    origin, owner = ".", None

    def absolute(name):
        if name == "@":
            return origin.rstrip(".")
        if name.endswith("."):
            return name.rstrip(".")
        return (name + "." + origin).rstrip(".")

    for line_no, toks in tokens(open(path, encoding="latin-1").read()):
        words = [t[1] if t[0] == "WORD" else t for t in toks if t[0] != "BLANK"]
        if words[0] == "$ORIGIN":
            origin = words[1]
            continue
        if words[0] == "$TTL":
            continue
        if toks[0][0] != "BLANK":
            owner = absolute(words.pop(0)).lower()
        while words and isinstance(words[0], str) and (
                words[0].isdigit() or words[0] == "IN"):
            words.pop(0)
        rtype, data = words[0], words[1:]
        if rtype not in ZONE_TYPES:
            sys.exit("zone line %d: type %s not supported here" % (line_no, rtype))
        if rtype == "TXT":
            value = [d[1] for d in data]
        elif rtype == "MX":
            value = (int(data[0]), absolute(data[1]))
        elif rtype in ("PTR", "CNAME"):
            value = absolute(data[0])
        else:
            value = str(ipaddress.ip_address(data[0]))
        recs.setdefault((owner, rtype), []).append(value)
    return recs


class Zone:
    """The records of one zone file and the names that exist."""

    def __init__(self, path):
        self.recs = load(path)
        self.names = set()
        for name, _ in self.recs:
            labels = name.split(".")
            for k in range(len(labels)):
                self.names.add(".".join(labels[k:]))

    def answer(self, name, qtype):
        """(owner, values) for name and qtype after one CNAME; raises
        "servfail" for the marker, returns None for NXDOMAIN, [] for NODATA."""
        name = name.rstrip(".").lower()
        qtype = qtype.upper()
        if (name, "CNAME") in self.recs and qtype != "CNAME":
            name = self.recs[(name, "CNAME")][0].lower()
        have = [v for v in self.recs.get((name, qtype), []) if v != MARKER]
        if MARKER in self.recs.get((name, "TXT"), []) and not have:
            raise LookupError("servfail")
        if name not in self.names:
            return name, None
        return name, have


def pyspf_lookup(recs, temp_error):
    """spf.DNSLookup over recs, like dns_zone.c: a CNAME is returned for
    pyspf to follow, the marker makes a type the name has no other records
    of raise temp_error (spf.TempError), an absent name or type is an
    empty answer."""
    def lookup(name, qtype, strict=True, timeout=None):
        name = name.rstrip(".").lower()
        if (name, "CNAME") in recs:
            return [((name, "CNAME"), recs[(name, "CNAME")][0])]
        have = [v for v in recs.get((name, qtype), []) if v != MARKER]
        if MARKER in recs.get((name, "TXT"), []) and not have:
            raise temp_error("DNS SERVFAIL for %s %s" % (name, qtype))
        return [((name, qtype), v) for v in have]
    return lookup
