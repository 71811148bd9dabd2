package names

// builtinServiceList is a short list of well-known IANA port assignments,
// used only when the caller asks for a fallback because the captured host's
// services file is missing. Names are IANA's service names.
var builtinServiceList = []struct {
	name  string
	port  uint16
	proto string
}{
	{"ftp-data", 20, "tcp"}, {"ftp", 21, "tcp"}, {"ssh", 22, "tcp"}, {"telnet", 23, "tcp"},
	{"smtp", 25, "tcp"}, {"domain", 53, "tcp"}, {"domain", 53, "udp"},
	{"bootps", 67, "udp"}, {"bootpc", 68, "udp"}, {"tftp", 69, "udp"},
	{"http", 80, "tcp"}, {"kerberos", 88, "tcp"}, {"kerberos", 88, "udp"},
	{"pop3", 110, "tcp"}, {"sunrpc", 111, "tcp"}, {"sunrpc", 111, "udp"},
	{"auth", 113, "tcp"}, {"nntp", 119, "tcp"}, {"ntp", 123, "udp"},
	{"netbios-ns", 137, "udp"}, {"netbios-dgm", 138, "udp"}, {"netbios-ssn", 139, "tcp"},
	{"imap", 143, "tcp"}, {"snmp", 161, "udp"}, {"snmptrap", 162, "udp"},
	{"bgp", 179, "tcp"}, {"ldap", 389, "tcp"}, {"https", 443, "tcp"}, {"https", 443, "udp"},
	{"microsoft-ds", 445, "tcp"}, {"submissions", 465, "tcp"}, {"isakmp", 500, "udp"},
	{"shell", 514, "tcp"}, {"syslog", 514, "udp"},
	{"dhcpv6-client", 546, "udp"}, {"dhcpv6-server", 547, "udp"},
	{"submission", 587, "tcp"}, {"ldaps", 636, "tcp"}, {"rsync", 873, "tcp"},
	{"imaps", 993, "tcp"}, {"pop3s", 995, "tcp"}, {"nfs", 2049, "tcp"}, {"nfs", 2049, "udp"},
	{"nfs", 2049, "sctp"}, {"mysql", 3306, "tcp"}, {"ipsec-nat-t", 4500, "udp"},
	{"sip", 5060, "tcp"}, {"sip", 5060, "udp"}, {"postgresql", 5432, "tcp"},
}

// BuiltinServices returns a small table of well-known services to use when
// the captured host's services file was not captured. Names from it are not
// the host's own: use it only when the user accepts that.
func BuiltinServices() *Services {
	s := newServices()
	for _, e := range builtinServiceList {
		s.add(Service{Name: e.name, Port: e.port, Proto: e.proto})
	}
	return s
}
