# mk/install.mk: `make install` and `make uninstall`, included by the
# Makefile.  Honours PREFIX and DESTDIR; the config goes to SYSCONFDIR
# (/etc) and is never overwritten; the systemd unit to UNITDIR with its
# ExecStart rewritten to the installed binary and config.

SYSCONFDIR ?= /etc
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
DOCDIR     ?= $(PREFIX)/share/doc/feedd
UNITDIR    ?= $(PREFIX)/lib/systemd/system
INSTALL    ?= install

CONF_EXAMPLE = config/feedd.conf.example
CONF_DEST    = $(DESTDIR)$(SYSCONFDIR)/feedd/feedd.conf

# The committed unit names /usr/local/bin and /etc; these rewrite them.
UNIT_SED = -e 's|/usr/local/bin/feedd|$(BINDIR)/feedd|g' \
           -e 's|/etc/feedd/feedd.conf|$(SYSCONFDIR)/feedd/feedd.conf|g'

install: $(BUILD)/feedd
	$(INSTALL) -d -m 0755 $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DOCDIR) \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/feedd
	$(INSTALL) -m 0755 $(BUILD)/feedd $(DESTDIR)$(BINDIR)/feedd
	$(INSTALL) -m 0644 daemon/feedd.8 $(DESTDIR)$(MANDIR)/man8/feedd.8
	$(INSTALL) -m 0644 config/feedd.conf.5 $(DESTDIR)$(MANDIR)/man5/feedd.conf.5
	$(INSTALL) -m 0644 $(CONF_EXAMPLE) $(DESTDIR)$(DOCDIR)/feedd.conf.example
	@if [ -e $(CONF_DEST) ]; then \
		echo "keeping existing $(CONF_DEST)"; \
	else \
		echo "$(INSTALL) -m 0644 $(CONF_EXAMPLE) $(CONF_DEST)"; \
		$(INSTALL) -m 0644 $(CONF_EXAMPLE) $(CONF_DEST); \
	fi
	sed $(UNIT_SED) systemd/feedd.service > $(DESTDIR)$(UNITDIR)/feedd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/feedd.service
	@echo "installed; now: systemctl daemon-reload && systemctl enable --now feedd"

# The config goes only when it still equals the example shipped with it:
# an admin's edits are never deleted.
uninstall:
	@if [ -e $(CONF_DEST) ]; then \
		ref=$(DESTDIR)$(DOCDIR)/feedd.conf.example; \
		[ -e "$$ref" ] || ref=$(CONF_EXAMPLE); \
		if cmp -s "$$ref" $(CONF_DEST); then \
			echo "rm -f $(CONF_DEST)"; rm -f $(CONF_DEST); \
		else \
			echo "keeping $(CONF_DEST): it differs from the example"; \
		fi; \
	fi
	@rmdir $(DESTDIR)$(SYSCONFDIR)/feedd 2>/dev/null || true
	rm -f $(DESTDIR)$(BINDIR)/feedd $(DESTDIR)$(MANDIR)/man8/feedd.8 \
		$(DESTDIR)$(MANDIR)/man5/feedd.conf.5 \
		$(DESTDIR)$(DOCDIR)/feedd.conf.example \
		$(DESTDIR)$(UNITDIR)/feedd.service
	@rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null || true
