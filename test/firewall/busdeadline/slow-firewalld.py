#!/usr/bin/python3
# A stand-in for firewalld on a private bus that answers like firewalld does for a non-root
# login: one call at a time, each after a blocking wait (firewalld's synchronous polkit check).
# argv: bus address, seconds per call. Prints "ready" once it owns the name.
import sys
import time

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

NAME = 'org.fedoraproject.FirewallD1'
IFACE = NAME
DELAY = float(sys.argv[2])


class Firewalld(dbus.service.Object):
    @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature='s', out_signature='a{sv}')
    def GetAll(self, iface):
        time.sleep(DELAY)
        return {'version': dbus.String('1.3.3'), 'state': dbus.String('RUNNING')}

    @dbus.service.method(IFACE, in_signature='', out_signature='s')
    def getDefaultZone(self):
        time.sleep(DELAY)
        return 'public'


DBusGMainLoop(set_as_default=True)
bus = dbus.bus.BusConnection(sys.argv[1])
Firewalld(bus, '/org/fedoraproject/FirewallD1')
name = dbus.service.BusName(NAME, bus)
print('ready', flush=True)
GLib.MainLoop().run()
