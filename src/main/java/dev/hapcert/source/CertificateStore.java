package dev.hapcert.source;

import dev.hapcert.error.ConfigException;
import dev.hapcert.error.HapcertException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A source that holds many certificates, each read on its own: a subclass lists its entries from the client's
 * layout, this class loads them one by one, turns each failure into a {@link SourceItem.Failed} and refuses two
 * entries that would be stored under the same name (the second would silently replace the first in HAProxy).
 */
abstract class CertificateStore implements CertificateSource {

    /** One candidate found in the layout: either a source to load, or a reason it is skipped. */
    record Entry(String name, String origin, CertificateSource source, String skipReason) {
        Entry {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(origin, "origin");
            if ((source == null) == (skipReason == null)) {
                throw new IllegalArgumentException("an entry has either a source or a skip reason");
            }
        }

        static Entry load(String name, CertificateSource source) {
            return new Entry(name, source.describe(), source, null);
        }

        static Entry skip(String name, String origin, String reason) {
            return new Entry(name, origin, null, reason);
        }
    }

    /**
     * The entries of the store, in any order.
     *
     * @throws HapcertException when the store as a whole cannot be read
     */
    abstract List<Entry> entries() throws HapcertException;

    @Override
    public final List<SourceItem> loadEach() throws HapcertException {
        List<SourceItem> items = new ArrayList<>();
        list().readEach(items::add);
        return List.copyOf(items);
    }

    @Override
    public final Listing list() throws HapcertException {
        List<Entry> entries = new ArrayList<>(entries());
        entries.sort(Comparator.comparing(Entry::name));
        return sink -> {
            Map<String, String> originByName = new HashMap<>();
            for (int i = 0; i < entries.size(); i++) {
                // Each entry is let go once read: a store of 100,000 would otherwise keep its listing (about 300
                // bytes an entry) until the last one is read, beside everything a sync keeps of those it has done.
                Entry entry = entries.set(i, null);
                if (entry == null) {
                    throw new IllegalStateException("a listing of " + describe() + " is read once");
                }
                read(entry, originByName, sink);
            }
        };
    }

    private static void read(Entry entry, Map<String, String> originByName, Consumer<SourceItem> sink) {
        if (entry.source() == null) {
            sink.accept(new SourceItem.Skipped(DesiredCertificate.printable(entry.name()), entry.origin(), entry.skipReason()));
            return;
        }
        try {
            for (DesiredCertificate certificate : entry.source().load()) {
                String earlier = originByName.putIfAbsent(certificate.name(), certificate.origin());
                if (earlier != null) {
                    sink.accept(new SourceItem.Failed(certificate.name(), certificate.origin(), new ConfigException(
                            "certificate name '" + certificate.name() + "' of " + certificate.origin()
                                    + " is already taken by " + earlier + "; rename one of them")));
                } else {
                    sink.accept(new SourceItem.Loaded(certificate));
                }
            }
        } catch (HapcertException e) {
            sink.accept(new SourceItem.Failed(DesiredCertificate.printable(entry.name()), entry.origin(), e));
        }
    }

    @Override
    public final List<DesiredCertificate> load() throws HapcertException {
        return SourceItem.requireAll(loadEach(), describe());
    }

    /**
     * The entries of a directory the store cannot do without, sorted by name.
     *
     * @param what the directory's role, for the message ("certbot config directory")
     */
    static List<Path> list(Path dir, String what) throws ConfigException {
        if (!Files.isDirectory(dir)) {
            throw new ConfigException(what + " " + dir + " does not exist or is not a directory");
        }
        try (Stream<Path> children = Files.list(dir)) {
            return children.sorted().toList();
        } catch (IOException e) {
            throw new ConfigException("cannot read " + what + " " + dir + ": " + e.getMessage(), e);
        }
    }

    /** A file name without its extension: {@code example.com.crt} without {@code .crt} is {@code example.com}. */
    static String stripSuffix(String fileName, String suffix) {
        return fileName.substring(0, fileName.length() - suffix.length());
    }
}
