# mk/install.mk: `make install` and `make uninstall`, included by the
# Makefile.  Honours PREFIX and DESTDIR; the config goes to SYSCONFDIR
# (/etc) and is never overwritten, nor is the alert log's logrotate
# file; the systemd unit to UNITDIR with its
# ExecStart rewritten to the installed binary and config; the feedd
# user and its log folder as sysusers.d and tmpfiles.d files.  Without
# DESTDIR (a real install, not a package staging root) the user, the
# group and the folder are made right away when systemd's tools exist.

SYSCONFDIR ?= /etc
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
DOCDIR     ?= $(PREFIX)/share/doc/feedd
UNITDIR    ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
INSTALL    ?= install

CONF_EXAMPLE = config/feedd.conf.example
CONF_DEST    = $(DESTDIR)$(SYSCONFDIR)/feedd/feedd.conf
LOGROTATE_DEST = $(DESTDIR)$(SYSCONFDIR)/logrotate.d/feedd

# Installed for systemd, the alert log goes to /var/log/feedd, where
# group adm reads it (the example's default is the state folder).
CONF_SED = -e 's|^log\( *\)= alerts.log  *|log\1= /var/log/feedd/alerts.log |'

# The committed unit names /usr/local/bin and /etc; these rewrite them.
UNIT_SED = -e 's|/usr/local/bin/feedd|$(BINDIR)/feedd|g' \
           -e 's|/etc/feedd/feedd.conf|$(SYSCONFDIR)/feedd/feedd.conf|g'

install: $(BUILD)/feedd
	$(INSTALL) -d -m 0755 $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DOCDIR) \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/feedd \
		$(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR)
	$(INSTALL) -m 0755 $(BUILD)/feedd $(DESTDIR)$(BINDIR)/feedd
	$(INSTALL) -m 0644 daemon/feedd.8 $(DESTDIR)$(MANDIR)/man8/feedd.8
	$(INSTALL) -m 0644 config/feedd.conf.5 $(DESTDIR)$(MANDIR)/man5/feedd.conf.5
	sed $(CONF_SED) $(CONF_EXAMPLE) > $(DESTDIR)$(DOCDIR)/feedd.conf.example
	chmod 0644 $(DESTDIR)$(DOCDIR)/feedd.conf.example
	@if [ -e $(CONF_DEST) ]; then \
		echo "keeping existing $(CONF_DEST)"; \
	else \
		echo "$(INSTALL) -m 0644 $(DESTDIR)$(DOCDIR)/feedd.conf.example $(CONF_DEST)"; \
		$(INSTALL) -m 0644 $(DESTDIR)$(DOCDIR)/feedd.conf.example $(CONF_DEST); \
	fi
	@if [ -e $(LOGROTATE_DEST) ]; then \
		echo "keeping existing $(LOGROTATE_DEST)"; \
	else \
		echo "$(INSTALL) -D -m 0644 systemd/feedd.logrotate $(LOGROTATE_DEST)"; \
		$(INSTALL) -D -m 0644 systemd/feedd.logrotate $(LOGROTATE_DEST); \
	fi
	sed $(UNIT_SED) systemd/feedd.service > $(DESTDIR)$(UNITDIR)/feedd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/feedd.service
	$(INSTALL) -m 0644 systemd/feedd.sysusers $(DESTDIR)$(SYSUSERSDIR)/feedd.conf
	$(INSTALL) -m 0644 systemd/feedd.tmpfiles $(DESTDIR)$(TMPFILESDIR)/feedd.conf
	@if [ -z "$(DESTDIR)" ]; then $(MAKE) --no-print-directory install-system; fi
	@echo "installed; now: systemctl daemon-reload && systemctl enable --now feedd"

# The user, group and log folder on this machine (a package does this in
# its postinst).  Folders left by the DynamicUser unit of older feedd
# (/var/lib/feedd -> private/feedd, the same for /var/log) move back and
# go to user feedd, their files readable by the group as UMask=0027
# makes new ones (the old unit's UMask=0077 made them 0600), then the
# public files by all (PUBLIC).  Stop feedd before installing over such
# a version.
MIGRATE = old=$$1/private/feedd new=$$1/feedd; \
	if [ -L $$new ] && [ -d $$old ] && [ "$$(readlink $$new)" = private/feedd ]; then \
		echo "moving $$old to $$new"; \
		rm $$new && mv $$old $$new && chown -R feedd:$$2 $$new && \
		chmod -R g+rX,g-w,o= $$new && chmod $$3 $$new; \
	fi

# The outputs and the alert log are public: 0644 in folders anyone can
# enter (feedd writes new ones so).  Earlier installs made them readable
# by group only; the database stays 0640, as UMask=0027 makes it.
PUBLIC = echo "making the outputs and the alert log readable by all (0644)"; \
	if [ -d /var/lib/feedd ]; then chmod 0755 /var/lib/feedd; \
		[ ! -d /var/lib/feedd/alerts ] || chmod 0755 /var/lib/feedd/alerts; \
		for f in /var/lib/feedd/feed.xml /var/lib/feedd/feed.json \
		    /var/lib/feedd/alerts/*.xml /var/lib/feedd/alerts.log*; do \
			[ ! -f "$$f" ] || chmod 0644 "$$f"; done; \
	fi; \
	for f in /var/log/feedd/alerts.log*; do [ ! -f "$$f" ] || chmod 0644 "$$f"; done

.PHONY: install-system
install-system:
	@if command -v systemd-sysusers >/dev/null; then \
		echo "systemd-sysusers $(SYSUSERSDIR)/feedd.conf"; \
		systemd-sysusers $(SYSUSERSDIR)/feedd.conf; \
	else echo "no systemd-sysusers: create the system user feedd yourself"; fi
	@set -- /var/lib feedd 0755; $(MIGRATE)
	@set -- /var/log adm 2755; $(MIGRATE)
	@if command -v systemd-tmpfiles >/dev/null; then \
		echo "systemd-tmpfiles --create $(TMPFILESDIR)/feedd.conf"; \
		systemd-tmpfiles --create $(TMPFILESDIR)/feedd.conf; \
	else echo "no systemd-tmpfiles: make /var/log/feedd (2755 feedd:adm) yourself"; fi
	@$(PUBLIC)

# The config goes only when it still equals the example shipped with it:
# an admin's edits are never deleted.
uninstall:
	@if [ -e $(CONF_DEST) ]; then \
		ref=$(DESTDIR)$(DOCDIR)/feedd.conf.example; \
		[ -e "$$ref" ] || ref=/dev/null; \
		if sed $(CONF_SED) $(CONF_EXAMPLE) | cmp -s - $(CONF_DEST) || \
		    cmp -s "$$ref" $(CONF_DEST); then \
			echo "rm -f $(CONF_DEST)"; rm -f $(CONF_DEST); \
		else \
			echo "keeping $(CONF_DEST): it differs from the example"; \
		fi; \
	fi
	@rmdir $(DESTDIR)$(SYSCONFDIR)/feedd 2>/dev/null || true
	@if [ -e $(LOGROTATE_DEST) ]; then \
		if cmp -s systemd/feedd.logrotate $(LOGROTATE_DEST); then \
			echo "rm -f $(LOGROTATE_DEST)"; rm -f $(LOGROTATE_DEST); \
		else \
			echo "keeping $(LOGROTATE_DEST): it was edited"; \
		fi; \
	fi
	rm -f $(DESTDIR)$(BINDIR)/feedd $(DESTDIR)$(MANDIR)/man8/feedd.8 \
		$(DESTDIR)$(MANDIR)/man5/feedd.conf.5 \
		$(DESTDIR)$(DOCDIR)/feedd.conf.example \
		$(DESTDIR)$(UNITDIR)/feedd.service \
		$(DESTDIR)$(SYSUSERSDIR)/feedd.conf \
		$(DESTDIR)$(TMPFILESDIR)/feedd.conf
	@rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null || true
