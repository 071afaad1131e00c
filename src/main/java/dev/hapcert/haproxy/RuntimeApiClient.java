package dev.hapcert.haproxy;

import dev.hapcert.error.HaproxyRefusedException;
import dev.hapcert.error.HaproxyUnreachableException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One typed method per Runtime API command hapcert uses, each checking HAProxy 2.6's success marker and throwing
 * {@link HaproxyRefusedException} (message scrubbed of payloads) otherwise. Certificate commands answered with
 * "Operations on certificates are currently locked!" are retried with backoff for
 * {@link RuntimeApiTimeouts#lockedRetry()}.
 *
 * <p>HAProxy has ONE certificate transaction per process, shared by all connections; callers serialize certificate
 * work per HAProxy with {@link CertificateLock}. This client does not abort transactions on its own, except in the one
 * case where HAProxy put the caller's certificate into another certificate's transaction ({@link #setSslCert}).
 *
 * <p>On a master CLI ({@link RuntimeApiAddress#masterCli()}) every command is routed to the current worker
 * ({@code @1}) unless {@link #routedTo(ProcList.Process)} names another process. Verified on 2.6.12: prompt mode and
 * {@code <<} payloads work through the master CLI with the prefix ({@code @1 set ssl cert /x.pem <<} is answered
 * {@code + + ... Transaction created for certificate /x.pem!}); the master's prompt is {@code "master> "}.
 */
public final class RuntimeApiClient implements AutoCloseable {
    private static final Pattern TRANSACTION_REPLY =
            Pattern.compile("Transaction (created|updated) for certificate (.*)!");

    private final RuntimeApiTransport connection;
    private final RuntimeApiTimeouts timeouts;
    private final String route;
    /** Replies fetched by {@link #readAhead} or {@link #sendAhead}, each handed out once; dropped by any other command. */
    private final List<Reply> ahead = new ArrayList<>();
    /** Whether {@link #ahead} holds changes, whose replies are handed out in the order they were sent and no other. */
    private boolean aheadInOrder;

    private RuntimeApiClient(RuntimeApiTransport connection, RuntimeApiTimeouts timeouts, String route) {
        this.connection = connection;
        this.timeouts = timeouts;
        this.route = route;
    }

    public static RuntimeApiClient open(RuntimeApiAddress address) throws HaproxyUnreachableException {
        return open(address, RuntimeApiTimeouts.DEFAULT);
    }

    public static RuntimeApiClient open(RuntimeApiAddress address, RuntimeApiTimeouts timeouts)
            throws HaproxyUnreachableException {
        RuntimeApiConnection c = RuntimeApiConnection.open(address, timeouts);
        return new RuntimeApiClient(c, timeouts, address.masterCli() ? "@1" : null);
    }

    /**
     * A client over any transport (e.g. a {@link BatchTransport} through a container). Routing follows
     * {@link RuntimeApiTransport#address()}: a master CLI address sends commands to {@code @1}. The client owns the
     * transport from now on and closes it with itself.
     */
    public static RuntimeApiClient over(RuntimeApiTransport transport, RuntimeApiTimeouts timeouts) {
        return new RuntimeApiClient(transport, timeouts, transport.address().masterCli() ? "@1" : null);
    }

    /**
     * A view of this client whose commands go to one process of a master CLI (a current or an old worker from
     * {@link #showProc()}). It shares this client's connection: closing either closes both.
     */
    public RuntimeApiClient routedTo(ProcList.Process process) {
        if (!address().masterCli()) {
            throw new IllegalStateException(address() + " is not a master CLI; only a master CLI routes commands");
        }
        return new RuntimeApiClient(connection, timeouts, process.route());
    }

    /** A client over {@link RuntimeApiTransport#reconnect()}: HAProxy as it is now, routed like this one. */
    public RuntimeApiClient reconnect() throws HaproxyUnreachableException {
        return new RuntimeApiClient(connection.reconnect(), timeouts, route);
    }

    public RuntimeApiAddress address() {
        return connection.address();
    }

    /** How the Runtime API is reached, for messages (the address, and the container when there is one). */
    public String description() {
        return connection.description();
    }

    /** See {@link RuntimeApiTransport#streams()}. */
    public boolean streams() {
        return connection.streams();
    }

    /**
     * Sends read-only {@code show} commands now, in one exchange, and keeps their replies for the next calls that
     * send exactly those commands, each reply used once. Any other command first drops what is kept, so a kept reply
     * is only ever used when nothing was sent in between: the same as if the command had been sent at this moment.
     * Worth it on a {@link BatchTransport}, where an exchange costs an exec whatever it holds.
     */
    public void readAhead(List<Command> commands) throws HaproxyUnreachableException {
        for (Command c : commands) {
            if (!c.words().get(0).equals("show") || c.hasPayload()) {
                throw new IllegalArgumentException("only show commands are read ahead, not '" + c + "'");
            }
        }
        fetchAhead(commands, false);
    }

    /**
     * {@link #readAhead} for a sequence of changes: sends them now, in one exchange, and keeps their replies for the
     * next calls that send exactly those commands in the same order, which judge each reply as if it had just been
     * sent; a call that sends anything else drops them. HAProxy has run
     * them all by then, so a caller that stops at a failed reply has still run the commands after it: only for a
     * sequence where each command does no harm after a failed one, e.g. {@code commit ssl cert}, then {@code add ssl
     * crt-list} (refused for a store that was never committed), then {@code show ssl cert}. Worth it on a {@link
     * BatchTransport} only: on a socket it saves nothing and gives up judging each reply before sending the next.
     */
    public void sendAhead(List<Command> commands) throws HaproxyUnreachableException {
        fetchAhead(commands, true);
    }

    private void fetchAhead(List<Command> commands, boolean inOrder) throws HaproxyUnreachableException {
        ahead.clear();
        aheadInOrder = inOrder;
        List<Command> sent = commands.stream().map(this::routed).toList();
        ahead.addAll(connection.exchange(sent));
    }

    // ---- certificates -------------------------------------------------------------------------------------------

    /** {@code show ssl cert}: every store and the open transaction. */
    public SslCertListing showSslCerts() throws HaproxyUnreachableException, HaproxyRefusedException {
        Reply r = certCall(Command.of("show", "ssl", "cert"));
        checkLevel(r);
        return SslCertListing.parse(r.text());
    }

    /**
     * A name no certificate has: {@code abort ssl cert} for it changes nothing and tells which transaction is open.
     * Not a path, so no file HAProxy loads can have it.
     */
    static final String TRANSACTION_PROBE = "hapcert:no-such-certificate";

    /**
     * The names of the open certificate transactions (HAProxy 2.6 keeps at most one).
     *
     * <p>{@code show ssl cert} lists them, but before every certificate store, and a deploy hook has no time to read
     * 10,000 names. HAProxy answers {@code abort ssl cert} for a name without a transaction with the open
     * transaction's name or with "No ongoing transaction!" (seen on 2.6.12), which is one short reply. An answer in
     * any other words (another version, a socket below level admin) falls back to the listing, read only up to the
     * store list where the transport can stop early. A listing read ahead is used as it is.
     */
    public List<String> showSslCertTransactions() throws HaproxyUnreachableException, HaproxyRefusedException {
        Command listing = Command.of("show", "ssl", "cert");
        if (!isReadAhead(listing)) {
            String probe = certCall(Command.of("abort", "ssl", "cert", TRANSACTION_PROBE)).text();
            if (probe.equals("No ongoing transaction!")) {
                return List.of();
            }
            Optional<String> open = ongoingTransaction(probe, "abort a transaction for '" + TRANSACTION_PROBE + "'");
            if (open.isPresent() && probe.indexOf('\n') < 0) {
                return List.of(open.get());
            }
        }
        Reply r = certCall(listing, SslCertListing.STORES_HEADER);
        checkLevel(r);
        return SslCertListing.transactionsIn(r.text());
    }

    /** {@code show ssl cert <name>}; empty when HAProxy has no such store. Prefix {@code *} for a transaction. */
    public Optional<SslCertDetails> showSslCert(String name) throws HaproxyUnreachableException, HaproxyRefusedException {
        Reply r = certCall(Command.of("show", "ssl", "cert", name));
        checkLevel(r);
        if (r.text().startsWith("Can't display the certificate")) {
            return Optional.empty();
        }
        return Optional.of(SslCertDetails.parse(r.text()));
    }

    /** {@code new ssl cert <name>}: an empty store, to be filled by {@link #setSslCert} and committed. */
    public void newSslCert(String name) throws HaproxyUnreachableException, HaproxyRefusedException {
        Reply r = certCall(Command.of("new", "ssl", "cert", name));
        expect(r, r.lastLine().equals("New empty certificate store '" + name + "'!"));
    }

    /**
     * {@code set ssl cert <name> <<payload}: loads a PEM into the (new or existing) transaction for {@code name}.
     * The reply must name exactly {@code name}. HAProxy 2.6.12 answers "Transaction updated for certificate A!" when a
     * transaction for A is open and loads this certificate into it; committing A would then serve this certificate
     * under A. In that case the poisoned transaction is aborted and the call fails. HAProxy 3.0.11 refuses the set
     * instead and A's transaction is left to its owner; the call fails naming it.
     */
    public void setSslCert(String name, String payload) throws HaproxyUnreachableException, HaproxyRefusedException {
        setPayload(name, name, payload);
    }

    /**
     * {@code set ssl cert <name>.key}: the private key as a separate payload in the transaction of {@code name}, for
     * bundles too large for one payload. Send it after the certificates: loading the main PEM resets the key.
     * HAProxy names the base certificate in its reply, which is checked like {@link #setSslCert}.
     */
    public void setSslCertKey(String name, String keyPayload) throws HaproxyUnreachableException, HaproxyRefusedException {
        setPayload(name + ".key", name, keyPayload);
    }

    private void setPayload(String sentName, String name, String payload)
            throws HaproxyUnreachableException, HaproxyRefusedException {
        Command cmd = Command.withPayload(payload, "set", "ssl", "cert", sentName);
        Reply r = certCall(cmd);
        Matcher m = TRANSACTION_REPLY.matcher(r.lastLine());
        if (!m.matches()) {
            checkLevel(r);
            // HAProxy 3.0.11 names the base certificate for a .key payload too ("... trying to set '/x/b.pem'").
            Optional<String> open = ongoingTransaction(r.text(), "set '" + name + "'");
            if (open.isPresent()) {
                throw new HaproxyRefusedException("HAProxy at " + description() + " refused to load the certificate for '"
                        + name + "': the transaction of '" + open.get() + "' is open, and HAProxy keeps one certificate"
                        + " transaction at a time. Another tool or a crashed run left it open; retry once it is committed"
                        + " or aborted ('abort ssl cert " + open.get() + "' drops it)");
            }
            throw refused(r);
        }
        String named = m.group(2);
        if (named.equals(name)) {
            return;
        }
        String aborted;
        try {
            abortSslCert(named);
            aborted = "hapcert aborted that transaction, so '" + named + "' keeps serving its committed certificate";
        } catch (HaproxyRefusedException | HaproxyUnreachableException e) {
            aborted = "aborting that transaction failed too (" + e.getMessage() + "); run 'abort ssl cert " + named
                    + "' before anything commits it, or '" + named + "' will serve the certificate of '" + name + "'";
        }
        throw new HaproxyRefusedException("HAProxy at " + description() + " loaded the certificate for '" + name
                + "' into the open transaction of '" + named + "' (an HAProxy 2.6 defect when another certificate's"
                + " transaction is open); " + aborted + ". Another tool or a crashed run left that transaction open;"
                + " retry once it is committed or aborted");
    }

    /**
     * The open transaction named by HAProxy's refusal of a certificate command for another name: {@code The ongoing
     * transaction is about 'A' but you are trying to <what>} (the first line). HAProxy 2.6.12 answers so to an
     * {@code abort}; HAProxy 3.0.11 also to a {@code set}, where 2.6 loads the certificate into A's transaction
     * instead (see {@link #setSslCert}).
     *
     * @param what the rest of the sentence for the command sent, e.g. {@code set '/etc/haproxy/certs/b.pem'}
     */
    public static Optional<String> ongoingTransaction(String reply, String what) {
        String prefix = "The ongoing transaction is about '";
        String suffix = "' but you are trying to " + what;
        int end = reply.indexOf('\n');
        String first = end < 0 ? reply : reply.substring(0, end);
        if (first.startsWith(prefix) && first.endsWith(suffix) && first.length() > prefix.length() + suffix.length()) {
            return Optional.of(first.substring(prefix.length(), first.length() - suffix.length()));
        }
        return Optional.empty();
    }

    /** {@code commit ssl cert <name>}; on failure the transaction stays open and the caller should abort it. */
    public void commitSslCert(String name) throws HaproxyUnreachableException, HaproxyRefusedException {
        Reply r = certCall(Command.of("commit", "ssl", "cert", name));
        expect(r, r.lastLine().equals("Success!") && !r.text().contains("Failed!"));
    }

    /** {@code abort ssl cert <name>}. */
    public void abortSslCert(String name) throws HaproxyUnreachableException, HaproxyRefusedException {
        Reply r = certCall(Command.of("abort", "ssl", "cert", name));
        expect(r, r.lastLine().equals("Transaction aborted for certificate '" + name + "'!"));
    }

    /** {@code del ssl cert <name>}: only for a store no crt-list entry uses any more. */
    public void delSslCert(String name) throws HaproxyUnreachableException, HaproxyRefusedException {
        Reply r = certCall(Command.of("del", "ssl", "cert", name));
        expect(r, r.lastLine().equals("Certificate '" + name + "' deleted!"));
    }

    // ---- crt-lists ----------------------------------------------------------------------------------------------

    /**
     * {@code add ssl crt-list <list> <<line}: {@code line} is one crt-list line, {@code <name> [options] [filters]}.
     * The certificate must be committed first. Use absolute names: HAProxy prefixes relative ones with crt-base.
     */
    public void addCrtListEntry(String crtList, String line) throws HaproxyUnreachableException, HaproxyRefusedException {
        if (line.isBlank() || line.contains("\n") || line.contains("\r")) {
            throw new IllegalArgumentException("a crt-list entry is one non-empty line");
        }
        Reply r = certCall(Command.withPayload(line, "add", "ssl", "crt-list", crtList));
        expect(r, r.lastLine().equals("Success!") && r.text().startsWith("Inserting certificate '"));
    }

    /** {@code show ssl crt-list -n <list>}: the entries with their line numbers. */
    public List<CrtListEntry> showCrtList(String crtList) throws HaproxyUnreachableException, HaproxyRefusedException {
        return CrtListEntry.parseListing(crtListReply(crtList));
    }

    /** The entry of {@code certificate} in {@code crtList} ({@code show ssl crt-list -n}), parsing only its line. */
    public Optional<CrtListEntry> findCrtListEntry(String crtList, String certificate)
            throws HaproxyUnreachableException, HaproxyRefusedException {
        return CrtListEntry.findIn(crtListReply(crtList), certificate);
    }

    private String crtListReply(String crtList) throws HaproxyUnreachableException, HaproxyRefusedException {
        Reply r = certCall(Command.of("show", "ssl", "crt-list", "-n", crtList));
        checkLevel(r);
        if (!r.text().startsWith("# ")) {
            throw new HaproxyRefusedException("HAProxy at " + description() + " has no crt-list or crt directory named '"
                    + crtList + "' (it answered: " + r.scrubbed() + "); 'show ssl crt-list' lists the names, exactly"
                    + " as written after 'crt-list' in haproxy.cfg");
        }
        return r.text();
    }

    /** {@code show ssl crt-list}: the names of every crt-list and {@code crt <dir>} directory. */
    public List<String> showCrtLists() throws HaproxyUnreachableException, HaproxyRefusedException {
        Reply r = certCall(Command.of("show", "ssl", "crt-list"));
        checkLevel(r);
        return r.lines().stream().map(String::strip).filter(s -> !s.isEmpty() && !s.startsWith("#")).toList();
    }

    /** {@code del ssl crt-list <list> <name[:line]>}; HAProxy refuses a bind line's default certificate. */
    public void delCrtListEntry(String crtList, String nameOrNameColonLine)
            throws HaproxyUnreachableException, HaproxyRefusedException {
        Reply r = certCall(Command.of("del", "ssl", "crt-list", crtList, nameOrNameColonLine));
        expect(r, r.lastLine().startsWith("Entry '") && r.lastLine().endsWith(" deleted in crtlist '" + crtList + "'!"));
    }

    // ---- process ------------------------------------------------------------------------------------------------

    /** {@code show info} as ordered fields. */
    public Map<String, String> showInfo() throws HaproxyUnreachableException, HaproxyRefusedException {
        Reply r = call(Command.of("show", "info"));
        Map<String, String> info = new LinkedHashMap<>();
        for (String line : r.lines()) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                info.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
            }
        }
        if (!info.containsKey("Version")) {
            throw refused(r);
        }
        return info;
    }

    /**
     * When this HAProxy started, at the latest: {@code show info}'s uptime counts whole seconds from before HAProxy
     * read its configuration, so one more second is subtracted.
     */
    public java.time.Instant startedBy() throws HaproxyUnreachableException, HaproxyRefusedException {
        Map<String, String> info = showInfo();
        try {
            return java.time.Instant.now().minusSeconds(Long.parseLong(info.getOrDefault("Uptime_sec", "")) + 1);
        } catch (NumberFormatException e) {
            throw new HaproxyRefusedException(description() + " does not say its uptime in 'show info' (Uptime_sec: '"
                    + info.getOrDefault("Uptime_sec", "") + "')");
        }
    }

    /** The HAProxy version, e.g. {@code 2.6.12-1+deb12u4}. */
    public String version() throws HaproxyUnreachableException, HaproxyRefusedException {
        return showInfo().get("Version");
    }

    /**
     * {@code reload} on a master CLI: the master re-reads its configuration and starts new workers. HAProxy 2.6
     * re-executes the master and drops the connection without a reply (2.7 and later answer {@code Success=1}), so a
     * closed connection is the expected end here; only an explicit {@code Success=0} is a refusal.
     */
    public void reloadMaster() throws HaproxyRefusedException {
        if (!address().masterCli()) {
            throw new IllegalStateException(address() + " is not a master CLI; only a master CLI can reload");
        }
        ahead.clear();
        try {
            Reply r = connection.exchange(Command.of("reload"));
            if (r.text().contains("Success=0")) {
                throw new HaproxyRefusedException("HAProxy's master at " + description() + " refused the reload: " + r.scrubbed());
            }
        } catch (HaproxyUnreachableException closedAsExpected) {
            // 2.6: the master has re-executed itself.
        }
    }

    /** {@code show proc}, on a master CLI only: how to reach every current and old worker. */
    public ProcList showProc() throws HaproxyUnreachableException, HaproxyRefusedException {
        ahead.clear();
        Reply r = connection.exchange(Command.of("show", "proc"));
        if (!r.text().startsWith("#<PID>")) {
            throw new HaproxyRefusedException(description() + " does not answer 'show proc' like a master CLI (it answered: "
                    + r.scrubbed() + "); point hapcert at the socket given to haproxy -S");
        }
        return ProcList.parse(r.text());
    }

    // ---- batches ------------------------------------------------------------------------------------------------

    /**
     * Sends the commands pipelined on this connection (routed like every other command) and returns one reply per
     * command, in order; {@link Reply#command()} is the command as given. Nothing is checked or retried: the caller
     * judges each reply (e.g. {@link Reply#isLocked()}) and must not log {@link Reply#text()} unscrubbed.
     */
    public List<Reply> pipeline(List<Command> commands) throws HaproxyUnreachableException {
        List<Command> sent = commands.stream().map(this::routed).toList();
        ahead.clear();
        List<Reply> got = connection.exchange(sent);
        List<Reply> replies = new ArrayList<>(got.size());
        for (int i = 0; i < got.size(); i++) {
            replies.add(new Reply(commands.get(i), got.get(i).text()));
        }
        return replies;
    }

    /**
     * {@link #pipeline} as a stream over several calls (see {@link RuntimeApiTransport#openPipeline}): commands are
     * routed like every other command, and each reply reaches {@code listener} with {@link Reply#command()} as given.
     */
    public RuntimeApiTransport.Pipeline openPipeline(Consumer<Reply> listener) {
        ahead.clear();
        Deque<Command> given = new ArrayDeque<>();
        RuntimeApiTransport.Pipeline wire = connection.openPipeline(r -> listener.accept(new Reply(given.removeFirst(), r.text())));
        return new RuntimeApiTransport.Pipeline() {
            @Override
            public void send(List<Command> commands) throws HaproxyUnreachableException {
                given.addAll(commands);
                wire.send(commands.stream().map(RuntimeApiClient.this::routed).toList());
            }

            @Override
            public void awaitUnanswered(int atMost) throws HaproxyUnreachableException {
                wire.awaitUnanswered(atMost);
            }
        };
    }

    @Override
    public void close() {
        connection.close();
    }

    // ---- internals ----------------------------------------------------------------------------------------------

    private Command routed(Command c) {
        return route == null ? c : c.routed(route);
    }

    private boolean isReadAhead(Command c) {
        // A loop, not a stream: this runs on the deploy hook's worker before it has linked any lambda.
        Command sent = routed(c);
        for (Reply r : ahead) {
            if (r.command().equals(sent)) {
                return true;
            }
        }
        return false;
    }

    private Reply call(Command c, String headUpTo) throws HaproxyUnreachableException {
        Command sent = routed(c);
        for (int i = 0; i < (aheadInOrder ? Math.min(1, ahead.size()) : ahead.size()); i++) {
            if (ahead.get(i).command().equals(sent)) {
                return new Reply(c, ahead.remove(i).text());
            }
        }
        ahead.clear();
        Reply r = headUpTo == null ? connection.exchange(sent) : connection.head(sent, headUpTo);
        return new Reply(c, r.text());
    }

    private Reply call(Command c) throws HaproxyUnreachableException {
        return call(c, null);
    }

    private Reply certCall(Command c) throws HaproxyUnreachableException, HaproxyRefusedException {
        return certCall(c, null);
    }

    /**
     * A certificate command, retried with backoff while HAProxy reports its certificate lock held; with
     * {@code headUpTo}, only the reply's head up to that line is needed (see {@link RuntimeApiTransport#head}).
     */
    private Reply certCall(Command c, String headUpTo) throws HaproxyUnreachableException, HaproxyRefusedException {
        long deadline = System.nanoTime() + timeouts.lockedRetry().toNanos();
        long pauseMillis = 50;
        while (true) {
            Reply r = call(c, headUpTo);
            if (!r.isLocked()) {
                return r;
            }
            if (System.nanoTime() + pauseMillis * 1_000_000 > deadline) {
                throw new HaproxyRefusedException("HAProxy at " + description() + " kept certificate operations locked for"
                        + " over " + timeouts.lockedRetry().toSeconds() + " s while running '" + c + "'; another"
                        + " commit is running (many certificates or crt-lists make it slow); retry later");
            }
            try {
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HaproxyRefusedException("interrupted while waiting for HAProxy's certificate lock", e);
            }
            pauseMillis = Math.min(pauseMillis * 2, 1000);
        }
    }

    private void expect(Reply r, boolean success) throws HaproxyRefusedException {
        if (!success) {
            checkLevel(r);
            throw refused(r);
        }
    }

    /**
     * HAProxy 2.6 answers "Permission denied" to changes below level admin, and "Can't allocate memory!" to
     * {@code show ssl cert} at level user (seen on 2.6.12).
     */
    private void checkLevel(Reply r) throws HaproxyRefusedException {
        String last = r.lastLine();
        if (last.equals("Permission denied") || last.equals("Can't allocate memory!")) {
            throw new HaproxyRefusedException("the Runtime API socket " + address().displayName()
                    + (description().equals(address().toString()) ? "" : " (" + description() + ")") + " is not at level"
                    + " admin (HAProxy answered '" + last + "' to '" + r.command() + "'): add 'level admin' to its"
                    + (address().masterCli() ? " -S option" : " 'stats socket' line") + " and reload HAProxy");
        }
    }

    private HaproxyRefusedException refused(Reply r) {
        return new HaproxyRefusedException("HAProxy at " + description() + " refused '" + r.command() + "': "
                + (r.text().isBlank() ? "(empty answer)" : r.scrubbed()));
    }

    @Override
    public String toString() {
        return "RuntimeApiClient[" + description() + (route == null ? "" : " " + route) + "]";
    }
}
