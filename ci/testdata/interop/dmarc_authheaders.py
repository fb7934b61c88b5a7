"""DMARC by python3-authheaders over a zone file, for ci/dmarc-interop.sh.

usage: dmarc_authheaders.py ZONE CASES MSGDIR
CASES has one case a line, fields split by blanks: NAME IP HELO MAIL-FROM ...
MSGDIR/NAME.eml is the message.  Prints per case
    NAME TAB RESULT TAB POLICY
where RESULT is the word of authheaders' dmarc= clause (or "error:NAME"
when it raised the exception NAME) and POLICY its policy.dmarc= (or "-").

authheaders.authenticate_message is called as a mail server would call it
(spf, dkim and dmarc on, no dnsfunc), so every code path is the one used
in production; only the three places where its libraries ask DNS are
replaced by readers of the zone:
- DMARC records and the RFC 9091 existence check: dns.resolver.query as
  authheaders.dmarc_lookup imported it (answers shaped like dnspython's:
  TXT rdata as text in double quotes, NXDOMAIN / NoAnswer / NoNameservers
  raised as dnspython raises them);
- DKIM keys: dkim.dnsplug._get_txt, the function dkimpy's get_txt calls;
- SPF: spf.DNSLookup, as ci/spf-interop.sh does.
The zone is read by zone_file.py (dns_zone.c's conventions).
"""
import re
import sys

import authheaders
import authheaders.dmarc_lookup
import dkim.dnsplug
import dns.resolver
import spf

from zone_file import Zone, pyspf_lookup


ZONE = Zone(sys.argv[1])


def txt_presentation(strings):
    """A TXT rdata as dnspython's str() gives it: each string quoted."""
    def quote(s):
        t = s.decode("latin-1").replace("\\", "\\\\").replace('"', '\\"')
        return '"' + t + '"'
    return " ".join(quote(s) for s in strings)


def resolver_query(qname, rdtype="A", *args, **kwargs):
    """dns.resolver.query for authheaders.dmarc_lookup."""
    try:
        _, values = ZONE.answer(str(qname), str(rdtype))
    except LookupError:
        raise dns.resolver.NoNameservers()
    if values is None:
        raise dns.resolver.NXDOMAIN()
    if not values:
        raise dns.resolver.NoAnswer()
    if str(rdtype).upper() == "TXT":
        return [txt_presentation(v) for v in values]
    return [str(v) for v in values]


def dkim_txt(name, timeout=5):
    """dkim.dnsplug._get_txt: the first TXT record's strings joined."""
    if isinstance(name, bytes):
        name = name.decode("ascii", "replace")
    try:
        _, values = ZONE.answer(name, "TXT")
    except LookupError:
        raise dns.resolver.NoNameservers()
    if not values:
        return None
    return b"".join(values[0])


authheaders.dmarc_lookup.query = resolver_query
dkim.dnsplug._get_txt = dkim_txt
spf.DNSLookup = pyspf_lookup(ZONE.recs, spf.TempError)

for line in open(sys.argv[2]):
    f = line.split("#")[0].split()
    if not f:
        continue
    name, ip, helo, mfrom = f[:4]
    # The null sender: SPF checks postmaster@HELO (RFC 7208 2.4) and DMARC
    # aligns that domain; authheaders takes the domain out of the mail_from
    # it is given (an empty one raises IndexError), so it gets the
    # address an MTA would check.
    if mfrom == "<>":
        mfrom = "postmaster@" + helo
    msg = open("%s/%s.eml" % (sys.argv[3], name), "rb").read()
    try:
        ar = authheaders.authenticate_message(
            msg, "sekimori.test", spf=True, dkim=True, dmarc=True,
            ip=ip, mail_from=mfrom, helo=helo)
    except Exception as e:  # noqa: B902 - any failure is an answer here
        print("%s\terror:%s\t-" % (name, type(e).__name__))
        continue
    res = re.search(r"\bdmarc=(\w+)", ar)
    pol = re.search(r"\bpolicy\.dmarc=(\w+)", ar)
    print("%s\t%s\t%s" % (name, res.group(1) if res else "-",
                          pol.group(1) if pol else "-"))
