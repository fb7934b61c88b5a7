"""A DNS responder over the zone of ci/dmarc-interop.sh, for opendmarc.

usage: dmarc_dnsd.py ZONE READY-FILE
Answers UDP queries on 127.0.0.1 port 53 from the zone (zone_file.py:
NXDOMAIN for names that do not exist, NODATA, SERVFAIL for the
SEKIMORI-TEMPFAIL marker, one CNAME followed) and writes READY-FILE once
it listens.  It is only run inside a private network namespace (unshare
-n), where 127.0.0.1 is nobody else's, with /etc/resolv.conf bind-mounted
to "nameserver 127.0.0.1" in a private mount namespace: opendmarc's
resolver then asks nothing but this zone.  Runs until killed.
"""
import socket
import sys

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset

from zone_file import Zone

ZONE = Zone(sys.argv[1])


def quote(s):
    """One TXT string in master-file form."""
    t = s.decode("latin-1").replace("\\", "\\\\").replace('"', '\\"')
    return '"' + t + '"'


def respond(query):
    """The response to one parsed query."""
    r = dns.message.make_response(query)
    r.flags |= dns.flags.AA
    if len(query.question) != 1:
        r.set_rcode(dns.rcode.FORMERR)
        return r
    q = query.question[0]
    qtype = dns.rdatatype.to_text(q.rdtype)
    try:
        owner, values = ZONE.answer(q.name.to_text(), qtype)
    except LookupError:
        r.set_rcode(dns.rcode.SERVFAIL)
        return r
    asked = q.name.to_text().rstrip(".").lower()
    if owner != asked:
        r.answer.append(dns.rrset.from_text(q.name, 300, "IN", "CNAME",
                                            owner + "."))
    if values is None:
        r.set_rcode(dns.rcode.NXDOMAIN)
    elif values:
        if qtype == "TXT":
            texts = [" ".join(quote(s) for s in v) for v in values]
        elif qtype == "MX":
            texts = ["%d %s." % v for v in values]
        elif qtype in ("PTR", "CNAME"):
            texts = [v + "." for v in values]
        else:
            texts = values
        r.answer.append(dns.rrset.from_text_list(owner + ".", 300, "IN",
                                                 qtype, texts))
    return r


sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", 53))
open(sys.argv[2], "w").close()
while True:
    data, peer = sock.recvfrom(4096)
    try:
        query = dns.message.from_wire(data)
    except Exception:  # noqa: B902 - a bad query gets no answer
        continue
    sock.sendto(respond(query).to_wire(), peer)
