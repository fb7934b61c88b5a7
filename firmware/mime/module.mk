# mime/module.mk - the MIME walker (libmime.a): streaming MIME structure,
# transfer decoding, RFC 2231/2047 parameters, true file types by magic
# bytes, ZIP listing and Office macro hints. Sans-I/O; needs only lib/.
mime_DEPS :=
