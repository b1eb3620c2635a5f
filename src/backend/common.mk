# src/backend/common.mk — included by every backend subdirectory Makefile
# after it has set OBJS (this directory's objects) and SUBDIRS.
# Produces objfiles.txt, the list of objects the backend links.

SUBDIROBJS = $(SUBDIRS:%=%/objfiles.txt)

all: objfiles.txt

objfiles.txt: $(SUBDIROBJS) $(OBJS) Makefile
	@( $(if $(OBJS),echo $(addprefix $(CURDIR)/,$(OBJS));) \
	   $(if $(SUBDIROBJS),cat $(SUBDIROBJS);) true ) | tr ' ' '\n' | sed '/^$$/d' > $@

# The subdirectory lists are rebuilt by recursing into them every time.
$(SUBDIROBJS): FORCE
	$(MAKE) -C $(dir $@) all
.PHONY: FORCE
FORCE:

clean: clean-local
clean-local:
	rm -f $(OBJS) $(OBJS:.o=.d) objfiles.txt
	@set -e; for d in $(SUBDIRS); do $(MAKE) -C $$d clean; done

-include $(OBJS:.o=.d)
.PHONY: all clean clean-local
