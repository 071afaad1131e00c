package dev.hapcert.deploy;

import dev.hapcert.config.TargetConfig;
import dev.hapcert.error.ConfigException;
import dev.hapcert.error.HapcertException;
import dev.hapcert.haproxy.Command;
import dev.hapcert.haproxy.HaproxyProtocolException;
import dev.hapcert.haproxy.Reply;
import dev.hapcert.haproxy.RuntimeApiClient;
import dev.hapcert.haproxy.RuntimeApiTransport;
import dev.hapcert.haproxy.SslCertDetails;
import dev.hapcert.haproxy.SslCertListing;
import dev.hapcert.store.AtomicFileWriter;
import dev.hapcert.store.CrtListFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What one HAProxy and its files hold for many certificates, gathered with few exchanges instead of several per
 * certificate: the {@code show ssl cert} listing, the running crt-list and the crt-list file once each at the
 * start, then per batch of certificates (as a streaming sync reads them) {@code show ssl cert <name>} pipelined for
 * the names HAProxy already has (a new name needs no details), and the bundle files read only where one exists.
 * Confined to the bulk session's thread.
 */
final class BulkObservation {
    /** Commands per pipelined exchange while observing and verifying; bounds the replies held at once. */
    static final int SHOW_BATCH = 500;

    private final Set<String> loadedNames;
    private final Set<String> runtimeCrtList;
    private final CrtListFile crtListFile;
    private final Map<String, SslCertDetails> details = new HashMap<>();
    private final Set<String> inCrtListFile = new HashSet<>();

    private BulkObservation(Set<String> loadedNames, Set<String> runtimeCrtList, CrtListFile crtListFile) {
        this.loadedNames = loadedNames;
        this.runtimeCrtList = runtimeCrtList;
        this.crtListFile = crtListFile;
    }

    /** The listings and the crt-list file; {@link #lookAt} then adds the details of each batch's names. */
    static BulkObservation observe(RuntimeApiClient client, TargetConfig target) throws HapcertException {
        SslCertListing listing = client.showSslCerts();
        Set<String> loaded = new HashSet<>(listing.certificates());
        Set<String> runtime = new HashSet<>();
        client.showCrtList(target.crtList()).forEach(e -> runtime.add(e.certificate()));
        Path crtListOnHost = target.paths().toHost(target.crtList());
        if (!Files.exists(crtListOnHost, LinkOption.NOFOLLOW_LINKS) && !runtime.isEmpty()) {
            // The same refusal as the one-certificate path: rewriting the file with our lines alone would make the
            // next restart drop every other certificate.
            throw new ConfigException("crt-list " + crtListOnHost + " does not exist, but HAProxy has " + runtime.size()
                    + " entries loaded from it; hapcert will not recreate it with only its own lines: restore the file"
                    + " (`show ssl crt-list -n " + target.crtList() + "` lists the entries) or correct the crt-list path"
                    + " (and paths mapping) in the configuration");
        }
        return new BulkObservation(loaded, runtime, CrtListFile.read(crtListOnHost));
    }

    /** Reads what {@link #stateOf} needs for these names: their details where HAProxy has them, their file lines. */
    void lookAt(RuntimeApiClient client, List<String> names) throws HapcertException {
        List<Command> shows = new ArrayList<>();
        for (String name : new java.util.LinkedHashSet<>(names)) {
            if (loadedNames.contains(name) && !details.containsKey(name)) {
                shows.add(Command.of("show", "ssl", "cert", name));
            }
        }
        for (Reply r : showEach(client, shows)) {
            String name = r.command().words().get(3);
            if (!r.text().startsWith("Can't display the certificate")) {
                details.put(name, parseDetails(client, r));
            }
        }
        inCrtListFile.addAll(crtListFile.listed(names));
    }

    /** {@code show ssl cert <name>} for each command, streamed on one pipeline in sends of {@link #SHOW_BATCH} or more. */
    static List<Reply> showEach(RuntimeApiClient client, List<Command> shows) throws HapcertException {
        List<Reply> all = new ArrayList<>(shows.size());
        showEach(client, shows, all::add);
        return all;
    }

    /** {@link #showEach(RuntimeApiClient, List)}, each reply handed to {@code each} as it arrives, in order. */
    static void showEach(RuntimeApiClient client, List<Command> shows, Consumer<Reply> each) throws HapcertException {
        if (shows.isEmpty()) {
            return;  // the planner asks with no client at all when nothing it plans is loaded
        }
        RuntimeApiTransport.Pipeline pipeline = client.openPipeline(each);
        // Where each send is an exec of its own, fewer and larger ones (replies of about 1 KB each).
        int per = client.streams() ? SHOW_BATCH : SHOW_BATCH * 4;
        for (int from = 0; from < shows.size(); from += per) {
            pipeline.send(shows.subList(from, Math.min(shows.size(), from + per)));
        }
        pipeline.finish();
    }

    /** A reply to {@code show ssl cert <name>} that does not describe the certificate and is worth asking again. */
    static boolean mustAskAgain(Reply r) {
        return r.isLocked() || r.lastLine().equals("Permission denied") || r.lastLine().equals("Can't allocate memory!");
    }

    static SslCertDetails parseDetails(RuntimeApiClient client, Reply r) throws HapcertException {
        if (mustAskAgain(r)) {
            // Rare (another client's commit, or a socket below level admin): the one-certificate call retries and
            // explains.
            return client.showSslCert(r.command().words().get(3)).orElseThrow(() -> new HaproxyProtocolException(
                    "HAProxy stopped listing " + r.command().words().get(3) + " while hapcert read it"));
        }
        return SslCertDetails.parse(r.text());
    }

    CrtListFile crtListFile() {
        return crtListFile;
    }

    /**
     * The observed state of one certificate. {@code onDisk} is what is at its bundle path
     * ({@link AtomicFileWriter#current}) and {@code pem} the bundle as hapcert would write it; the caller keeps both
     * for the write that may follow, so neither is read or encoded twice.
     */
    ObservedState stateOf(String certName, AtomicFileWriter.Current onDisk, byte[] pem) {
        Optional<ObservedState.Loaded> loaded = Optional.ofNullable(details.get(certName)).map(BulkObservation::loadedFrom);
        boolean matches = onDisk.content() != null && Arrays.equals(onDisk.content(), pem);
        return new ObservedState(loaded, onDisk.exists(), matches, inCrtListFile.contains(certName),
                runtimeCrtList.contains(certName));
    }

    static ObservedState.Loaded loadedFrom(SslCertDetails d) {
        return new ObservedState.Loaded(d.serial().filter(s -> !s.isEmpty()), d.sha1Fingerprint().filter(s -> !s.isEmpty()),
                d.notBefore());
    }

    /** Whether HAProxy listed a store of this name (possibly empty) in {@code show ssl cert}. */
    boolean isLoaded(String certName) {
        return loadedNames.contains(certName);
    }
}
