package dev.hapcert.config;

import dev.hapcert.error.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Zero-config: derives one target from haproxy.cfg when there is no hapcert.yml.
 *
 * <p>Rules, from HAProxy 2.6's configuration manual and checked against haproxy 2.6 itself:
 * <ul>
 * <li>The Runtime API is the first {@code stats socket} of {@code global} with {@code level admin}; the default
 *     level is {@code operator}, which cannot change certificates.
 * <li>{@code crt-base} (section 3.1) "assigns a default directory to fetch SSL certificates from when a relative
 *     path is used with crtfile or crt directives": it applies to {@code crt} arguments and to the certificate
 *     lines inside a crt-list, but NOT to the crt-list file named by {@code crt-list} (section 5.1), which HAProxy
 *     opens as written, i.e. relative to its working directory. A relative crt-list is therefore refused: its
 *     location depends on how HAProxy was started.
 * <li>Exactly one distinct crt-list over all {@code bind} lines gives the target; new certificates go to
 *     {@code crt-base} if set, else to the crt-list's directory.
 * </ul>
 * Only the given file is read ({@code -f} directories and several {@code -f} files are not followed), and
 * {@code .if} blocks are not evaluated: every branch is read.
 */
public final class HaproxyCfgDiscovery {
    private static final Set<String> SECTIONS = Set.of("global", "defaults", "frontend", "backend", "listen",
            "peers", "resolvers", "userlist", "mailers", "program", "http-errors", "ring", "cache", "log-forward",
            "fcgi-app", "crt-store", "traces", "acme");

    private HaproxyCfgDiscovery() {
    }

    public static DiscoveredHaproxy discover(Path haproxyCfg) throws ConfigException {
        String text;
        try {
            // HAProxy reads bytes; comments in other encodings must not stop discovery.
            text = new String(Files.readAllBytes(haproxyCfg), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException("no hapcert.yml given and " + haproxyCfg + " does not exist: write a"
                    + " hapcert.yml or pass --haproxy-config", e);
        } catch (AccessDeniedException e) {
            throw new ConfigException("cannot read " + haproxyCfg + ": permission denied", e);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + haproxyCfg + ": " + e.getMessage(), e);
        }
        return discover(text, haproxyCfg);
    }

    static DiscoveredHaproxy discover(String text, Path file) throws ConfigException {
        String name = file.toString();
        String section = "";
        Optional<CfgLine> crtBaseLine = Optional.empty();
        Optional<CfgLine> bufsizeLine = Optional.empty();
        Optional<CfgLine> issuersLine = Optional.empty();
        List<CfgLine> statsSockets = new ArrayList<>();
        Map<String, CfgLine> crtLists = new LinkedHashMap<>();
        List<CfgLine> crtBinds = new ArrayList<>();
        List<String> sectionOfCrtBind = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (CfgLine line : HaproxyCfgLexer.lex(text, name)) {
            String kw = line.word(0);
            if (kw.isEmpty()) {
                continue;
            }
            if (kw.startsWith(".")) {
                if (kw.equals(".if") && notes.isEmpty()) {
                    notes.add(name + " has .if blocks (line " + line.number() + "); discovery reads every branch");
                }
                continue;
            }
            if (SECTIONS.contains(kw)) {
                section = (kw + " " + line.word(1)).strip();
                continue;
            }
            if (section.equals("global")) {
                if (kw.equals("stats") && line.word(1).equals("socket")) {
                    statsSockets.add(line);
                } else if (kw.equals("crt-base")) {
                    crtBaseLine = Optional.of(line);
                } else if (kw.equals("tune.bufsize")) {
                    bufsizeLine = Optional.of(line);
                } else if (kw.equals("issuers-chain-path")) {
                    issuersLine = Optional.of(line);
                }
            } else if ((section.startsWith("frontend") || section.startsWith("listen")) && kw.equals("bind")) {
                boolean direct = false;
                for (int i = 2; i < line.words().size() - 1; i++) {
                    if (line.word(i).equals("crt-list")) {
                        crtLists.putIfAbsent(line.word(i + 1), line);
                        requireLiteral(line, i + 1, "crt-list", name);
                    } else if (line.word(i).equals("crt")) {
                        direct = true;
                    }
                }
                if (direct) {
                    crtBinds.add(line);
                    sectionOfCrtBind.add(section);
                }
            }
        }
        Optional<String> crtBase = crtBaseLine.isPresent() ? Optional.of(crtBaseLine.get().word(1)) : Optional.empty();
        if (crtBaseLine.isPresent()) {
            requireLiteral(crtBaseLine.get(), 1, "crt-base", name);
            if (!crtBase.get().startsWith("/")) {
                throw new ConfigException("crt-base '" + crtBase.get() + "' on line " + crtBaseLine.get().number()
                        + " of " + name + " is relative: HAProxy resolves it against its working directory, which"
                        + " hapcert cannot know; make it absolute or write a hapcert.yml");
            }
        }
        List<DiscoveredHaproxy.DirectCrtBind> direct = directBinds(crtBinds, sectionOfCrtBind, crtBase);
        String runtimeApi = adminSocket(statsSockets, name);
        String crtList = onlyCrtList(crtLists, direct, name);
        String certDir = crtBase.isPresent() ? crtBase.get() : crtList.substring(0, Math.max(1, crtList.lastIndexOf('/')));
        String targetName = targetName(file);
        int payloadLimit = TargetConfig.DEFAULT_PAYLOAD_LIMIT;
        if (bufsizeLine.isPresent()) {
            try {
                payloadLimit = Integer.parseInt(bufsizeLine.get().word(1));
            } catch (NumberFormatException e) {
                throw new ConfigException("tune.bufsize '" + bufsizeLine.get().word(1) + "' on line "
                        + bufsizeLine.get().number() + " of " + name + " is not a number of bytes");
            }
        }
        // HAProxy completes chains from issuers-chain-path; a relative one depends on its working directory, which
        // hapcert cannot know, so bundles then keep their chains.
        Optional<String> issuersChainPath = Optional.empty();
        if (issuersLine.isPresent()) {
            String dir = issuersLine.get().word(1);
            if (dir.startsWith("/")) {
                issuersChainPath = Optional.of(dir);
            } else {
                notes.add("issuers-chain-path '" + dir + "' on line " + issuersLine.get().number() + " of " + name
                        + " is relative: bundles keep their chains");
            }
        }
        try {
            TargetConfig target = new TargetConfig(targetName, runtimeApi, false, crtList, certDir,
                    PathMapping.IDENTITY, FileOwnership.DEFAULT, Optional.empty(), Optional.of(file), "",
                    LeftoverTransactionPolicy.ABORT, TargetConfig.defaultLockFile(targetName, runtimeApi),
                    Optional.empty(), payloadLimit, issuersChainPath);
            return new DiscoveredHaproxy(file, target, crtBase, direct, notes);
        } catch (InvalidSettingException e) {
            throw new ConfigException("discovered from " + name + ": " + e.getMessage()
                    + "; fix haproxy.cfg or write a hapcert.yml", e);
        }
    }

    private static String adminSocket(List<CfgLine> statsSockets, String file) throws ConfigException {
        if (statsSockets.isEmpty()) {
            throw new ConfigException("no `stats socket` in global of " + file + "; hapcert needs HAProxy's"
                    + " Runtime API: add `stats socket /run/haproxy/admin.sock mode 660 level admin` to global");
        }
        for (CfgLine line : statsSockets) {
            if (level(line).equals("admin")) {
                requireLiteral(line, 2, "stats socket", file);
                return line.word(2);
            }
        }
        String found = statsSockets.stream()
                .map(l -> l.word(2) + " (level " + level(l) + ", line " + l.number() + ")")
                .collect(Collectors.joining(", "));
        throw new ConfigException("no `stats socket ... level admin` in global of " + file + "; found only " + found
                + ". Changing certificates needs level admin: add `level admin` to one of them");
    }

    // "operator" is the documented default level of a stats socket.
    private static String level(CfgLine line) {
        for (int i = 3; i < line.words().size() - 1; i++) {
            if (line.word(i).equals("level")) {
                return line.word(i + 1);
            }
        }
        return "operator";
    }

    private static String onlyCrtList(Map<String, CfgLine> crtLists, List<DiscoveredHaproxy.DirectCrtBind> direct,
            String file) throws ConfigException {
        // Two spellings of one file ("/a//b", "/a/b") are one crt-list on disk but two names for HAProxy.
        Map<String, CfgLine> distinct = new LinkedHashMap<>();
        for (Map.Entry<String, CfgLine> e : crtLists.entrySet()) {
            String path = e.getKey();
            if (!path.startsWith("/")) {
                throw new ConfigException("crt-list '" + path + "' on line " + e.getValue().number() + " of " + file
                        + " is relative: HAProxy opens it relative to its working directory (crt-base does not"
                        + " apply to crt-list files), which hapcert cannot know; write the absolute path");
            }
            distinct.putIfAbsent(PathMapping.normalize(path), e.getValue());
        }
        if (distinct.size() == 1) {
            return crtLists.keySet().iterator().next();
        }
        if (distinct.size() > 1) {
            String list = distinct.entrySet().stream()
                    .map(e -> e.getKey() + " (line " + e.getValue().number() + ")").collect(Collectors.joining(", "));
            throw new ConfigException(file + " uses " + distinct.size() + " crt-lists: " + list + ". Zero-config"
                    + " handles exactly one; write a hapcert.yml that says which crt-list new certificates go to");
        }
        if (direct.isEmpty()) {
            throw new ConfigException("no `bind` line in " + file + " uses `crt-list`; hapcert adds certificates"
                    + " to a crt-list: add `ssl crt-list /etc/haproxy/crt-list.txt` to your TLS bind line");
        }
        DiscoveredHaproxy.DirectCrtBind first = direct.get(0);
        String listPath = first.certificates().get(0).substring(0,
                Math.max(1, first.certificates().get(0).lastIndexOf('/'))) + "/crt-list.txt";
        throw new ConfigException("no `bind` line in " + file + " uses `crt-list`, only `crt` (line "
                + first.lineNumber() + "). A certificate named by `crt file.pem` can be replaced at runtime, but"
                + " HAProxy cannot take new certificates next to it. Put the certificates in a crt-list, one per line"
                + " (" + String.join(", ", first.certificates()) + "), and change the bind line to:\n    bind "
                + first.address() + " ssl crt-list " + listPath + " ...");
    }

    private static List<DiscoveredHaproxy.DirectCrtBind> directBinds(List<CfgLine> lines, List<String> sections,
            Optional<String> crtBase) {
        List<DiscoveredHaproxy.DirectCrtBind> out = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            CfgLine line = lines.get(n);
            List<String> certs = new ArrayList<>();
            for (int i = 2; i < line.words().size() - 1; i++) {
                if (line.word(i).equals("crt")) {
                    String crt = line.word(i + 1);
                    // Same rule as HAProxy: crt-base prefixes relative names with a '/' in between.
                    certs.add(crt.startsWith("/") || crtBase.isEmpty() ? crt : crtBase.get() + "/" + crt);
                }
            }
            out.add(new DiscoveredHaproxy.DirectCrtBind(line.number(), sections.get(n), line.word(1), certs));
        }
        return out;
    }

    private static void requireLiteral(CfgLine line, int word, String what, String file) throws ConfigException {
        if (line.hasVariable(word)) {
            throw new ConfigException(what + " '" + line.word(word) + "' on line " + line.number() + " of " + file
                    + " uses an environment variable, which HAProxy expands from its own environment; hapcert"
                    + " cannot know it: write a hapcert.yml");
        }
    }

    private static String targetName(Path file) {
        String base = file.getFileName() == null ? "haproxy" : file.getFileName().toString();
        String stem = base.endsWith(".cfg") ? base.substring(0, base.length() - 4) : base;
        // Characters a target name cannot have become '-', then leading non-alphanumerics go (no regex: this runs
        // on the deploy hook's path).
        StringBuilder clean = new StringBuilder();
        for (char c : stem.toCharArray()) {
            if (clean.length() == 0 && !TargetConfig.isAlphanumeric(c)) {
                continue;
            }
            clean.append(TargetConfig.isNameCharacter(c) ? c : '-');
        }
        return clean.length() == 0 ? "haproxy" : clean.substring(0, Math.min(TargetConfig.MAX_NAME, clean.length()));
    }
}
