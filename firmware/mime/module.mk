# mime/module.mk - the MIME walker (libmime.a): streaming MIME structure,
# transfer decoding, RFC 2231/2047 parameters, true file types by magic
# bytes, ZIP listing and Office macro hints. Sans-I/O; needs only lib/.
mime_DEPS :=
PROGRAMS += sekimori-mime
sekimori-mime_MAIN := mime/mime_main.c
sekimori-mime_DIRS := mime
sekimori-mime_DEST := /usr/bin
