# mk/install.mk: `make install` and `make uninstall`, included by the
# Makefile.  Honours PREFIX and DESTDIR; the config goes to SYSCONFDIR
# (/etc) and is never overwritten; the systemd unit to UNITDIR with its
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
	sed $(UNIT_SED) systemd/feedd.service > $(DESTDIR)$(UNITDIR)/feedd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/feedd.service
	$(INSTALL) -m 0644 systemd/feedd.sysusers $(DESTDIR)$(SYSUSERSDIR)/feedd.conf
	$(INSTALL) -m 0644 systemd/feedd.tmpfiles $(DESTDIR)$(TMPFILESDIR)/feedd.conf
	@if [ -z "$(DESTDIR)" ]; then $(MAKE) --no-print-directory install-system; fi
	@echo "installed; now: systemctl daemon-reload && systemctl enable --now feedd"

# The user, group and log folder on this machine (a package does this in
# its postinst).  Logs left by the DynamicUser unit of older feedd
# (/var/log/feedd -> private/feedd) move into the new folder; the state
# folder systemd moves back itself when the unit starts.
.PHONY: install-system
install-system:
	@if command -v systemd-sysusers >/dev/null; then \
		echo "systemd-sysusers $(SYSUSERSDIR)/feedd.conf"; \
		systemd-sysusers $(SYSUSERSDIR)/feedd.conf; \
	else echo "no systemd-sysusers: create the system user feedd yourself"; fi
	@if [ -L /var/log/feedd ] && [ -d /var/log/private/feedd ]; then \
		echo "moving /var/log/private/feedd to /var/log/feedd"; \
		rm /var/log/feedd && mv /var/log/private/feedd /var/log/feedd && \
		chown -R feedd:adm /var/log/feedd && \
		chmod -R g+rX,g-w,o= /var/log/feedd; \
	fi
	@if command -v systemd-tmpfiles >/dev/null; then \
		echo "systemd-tmpfiles --create $(TMPFILESDIR)/feedd.conf"; \
		systemd-tmpfiles --create $(TMPFILESDIR)/feedd.conf; \
	else echo "no systemd-tmpfiles: make /var/log/feedd (2750 feedd:adm) yourself"; fi

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
	rm -f $(DESTDIR)$(BINDIR)/feedd $(DESTDIR)$(MANDIR)/man8/feedd.8 \
		$(DESTDIR)$(MANDIR)/man5/feedd.conf.5 \
		$(DESTDIR)$(DOCDIR)/feedd.conf.example \
		$(DESTDIR)$(UNITDIR)/feedd.service \
		$(DESTDIR)$(SYSUSERSDIR)/feedd.conf \
		$(DESTDIR)$(TMPFILESDIR)/feedd.conf
	@rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null || true
