# content/module.mk - the content step of sekimorid (libcontent.a): the
# scanners' verdicts, the message's facts and the config's rules decide
# what happens to a message before the 250 (issue 6); the content
# process that runs the scanner chains. Linked into sekimorid.
content_DEPS := mime scan config policy smtp
content_LIBS := -lpthread
