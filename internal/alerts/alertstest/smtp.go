// Package alertstest holds what tests of hostgate's alerts receive them
// with: a small SMTP server and a webhook receiver that checks signatures
// the way the README tells receivers to, both on loopback. It shares no
// code with the package it tests: a receiver built from the sender's own
// functions would prove nothing.
package alertstest

import (
	"bufio"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"testing"
)

// SMTPOptions shape an SMTPServer.
type SMTPOptions struct {
	// TLS, when set, is offered by STARTTLS (or, with Implicit, spoken
	// from the first byte).
	TLS      *tls.Config
	Implicit bool
	// Username and Password, when set, are required by AUTH PLAIN before
	// MAIL.
	Username, Password string
	// Reply, when set, is asked before each command (by its verb: "MAIL",
	// "RCPT", "DATA", …); a code other than 0 is answered instead of
	// carrying the command out.
	Reply func(verb string) (code int, text string)
}

// Mail is one message the server accepted.
type Mail struct {
	From     string
	To       []string
	Data     string // as received, without the final dot
	Username string // who logged in; empty without AUTH
	TLS      bool   // whether the message came over TLS
}

// Header parses the message's header.
func (m Mail) Header() mail.Header {
	msg, err := mail.ReadMessage(strings.NewReader(m.Data))
	if err != nil {
		return nil
	}
	return msg.Header
}

// Text is the message's body, decoded from quoted-printable when it says
// so, with CRLF line ends made LF.
func (m Mail) Text() string {
	msg, err := mail.ReadMessage(strings.NewReader(m.Data))
	if err != nil {
		return ""
	}
	var r io.Reader = msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		r = quotedprintable.NewReader(r)
	}
	b, _ := io.ReadAll(r)
	return strings.ReplaceAll(string(b), "\r\n", "\n")
}

// SMTPServer is a minimal ESMTP server on 127.0.0.1: EHLO, STARTTLS, AUTH
// PLAIN, MAIL, RCPT, DATA, RSET, NOOP and QUIT, enough for net/smtp.
type SMTPServer struct {
	// Addr is host:port of the listener.
	Addr string
	// Arrived receives each accepted message (buffered).
	Arrived chan Mail

	opts  SMTPOptions
	ln    net.Listener
	wg    sync.WaitGroup
	mu    sync.Mutex
	mails []Mail
	conns map[net.Conn]bool
	// Sessions counts connections accepted.
	sessions int
}

// NewSMTPServer starts a server on a free loopback port; it stops when the
// test ends.
func NewSMTPServer(t testing.TB, opts SMTPOptions) *SMTPServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if opts.Implicit {
		ln = tls.NewListener(ln, opts.TLS)
	}
	s := &SMTPServer{Addr: ln.Addr().String(), Arrived: make(chan Mail, 256), opts: opts, ln: ln, conns: map[net.Conn]bool{}}
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(s.Close)
	return s
}

// Close stops the server and waits for its sessions to end.
func (s *SMTPServer) Close() {
	s.ln.Close()
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// Mails returns the messages accepted so far.
func (s *SMTPServer) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

// Sessions returns how many connections the server accepted.
func (s *SMTPServer) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions
}

func (s *SMTPServer) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns[c] = true
		s.sessions++
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() {
				c.Close()
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
			}()
			_ = s.session(c)
		}()
	}
}

// session is one SMTP conversation.
func (s *SMTPServer) session(c net.Conn) error {
	_, isTLS := c.(*tls.Conn)
	r := textproto.NewReader(bufio.NewReader(c))
	w := bufio.NewWriter(c)
	reply := func(code int, lines ...string) error {
		for i, l := range lines {
			sep := "-"
			if i == len(lines)-1 {
				sep = " "
			}
			fmt.Fprintf(w, "%d%s%s\r\n", code, sep, l)
		}
		return w.Flush()
	}
	if err := reply(220, "alertstest ESMTP"); err != nil {
		return err
	}
	var m Mail
	var user string
	for {
		line, err := r.ReadLine()
		if err != nil {
			return err
		}
		verb, arg, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		if s.opts.Reply != nil {
			if code, text := s.opts.Reply(verb); code != 0 {
				if err := reply(code, text); err != nil {
					return err
				}
				continue
			}
		}
		switch verb {
		case "EHLO", "HELO":
			lines := []string{"alertstest"}
			if s.opts.TLS != nil && !isTLS {
				lines = append(lines, "STARTTLS")
			}
			if s.opts.Username != "" {
				lines = append(lines, "AUTH PLAIN")
			}
			err = reply(250, append(lines, "8BITMIME")...)
		case "STARTTLS":
			if s.opts.TLS == nil || isTLS {
				err = reply(502, "no STARTTLS here")
				break
			}
			if err := reply(220, "go ahead"); err != nil {
				return err
			}
			tc := tls.Server(c, s.opts.TLS)
			if err := tc.Handshake(); err != nil {
				return err
			}
			c, isTLS = tc, true
			r = textproto.NewReader(bufio.NewReader(c))
			w = bufio.NewWriter(c)
			m, user = Mail{}, ""
		case "AUTH":
			user, err = s.auth(arg, reply)
		case "MAIL":
			if s.opts.Username != "" && user == "" {
				err = reply(530, "authentication required")
				break
			}
			m = Mail{From: address(arg), Username: user, TLS: isTLS}
			err = reply(250, "ok")
		case "RCPT":
			m.To = append(m.To, address(arg))
			err = reply(250, "ok")
		case "DATA":
			if err := reply(354, "go ahead"); err != nil {
				return err
			}
			data, derr := r.ReadDotBytes()
			if derr != nil {
				return derr
			}
			m.Data = string(data)
			s.mu.Lock()
			s.mails = append(s.mails, m)
			s.mu.Unlock()
			s.Arrived <- m
			err = reply(250, "queued")
		case "RSET":
			m = Mail{}
			err = reply(250, "ok")
		case "NOOP":
			err = reply(250, "ok")
		case "QUIT":
			_ = reply(221, "bye")
			return nil
		default:
			err = reply(502, "unknown command")
		}
		if err != nil {
			return err
		}
	}
}

// auth checks AUTH PLAIN with its initial response.
func (s *SMTPServer) auth(arg string, reply func(int, ...string) error) (string, error) {
	mech, resp, _ := strings.Cut(arg, " ")
	if !strings.EqualFold(mech, "PLAIN") || resp == "" {
		return "", reply(504, "only PLAIN with an initial response")
	}
	raw, err := base64.StdEncoding.DecodeString(resp)
	if err != nil {
		return "", reply(501, "bad base64")
	}
	parts := strings.Split(string(raw), "\x00")
	if len(parts) != 3 || parts[1] != s.opts.Username || parts[2] != s.opts.Password {
		return "", reply(535, "authentication failed")
	}
	return parts[1], reply(235, "ok")
}

// address takes the address out of "FROM:<a@b> BODY=8BITMIME".
func address(arg string) string {
	_, rest, ok := strings.Cut(arg, "<")
	if !ok {
		return ""
	}
	a, _, _ := strings.Cut(rest, ">")
	return a
}
