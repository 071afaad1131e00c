package dev.hapcert.deploy;

import dev.hapcert.config.TargetConfig;
import dev.hapcert.error.HapcertException;
import dev.hapcert.error.HaproxyRefusedException;
import dev.hapcert.haproxy.Command;
import dev.hapcert.haproxy.Reply;
import dev.hapcert.haproxy.RuntimeApiClient;
import dev.hapcert.store.CrtListFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The commands one certificate of a bulk batch puts on the wire, where they sit in the batch, and the judgement of
 * their replies against HAProxy 2.6's success markers (the same markers {@code RuntimeApiClient} checks one command
 * at a time).
 *
 * @param first index of the certificate's first command in the batch
 * @param error a reason not to send anything (a bundle too large for one payload even when split); else null
 */
record BulkCommands(BulkItem item, List<Command> commands, int first, String crtListLine, HapcertException error) {
    private static final Pattern TRANSACTION_REPLY = Pattern.compile("Transaction (created|updated) for certificate (.*)!");

    static BulkCommands of(BulkItem item, TargetConfig target, BundleForm form, int first) {
        PlanStep.Work w = item.work;
        String name = item.certName;
        String line = CrtListFile.formatLine(name, target.sslOptions(), List.of());
        List<Command> out = new ArrayList<>();
        if (w.loadInRuntime()) {
            if (w.createInRuntime()) {
                out.add(Command.of("new", "ssl", "cert", name));
            }
            try {
                out.addAll(BundlePayloads.setCommands(name, item.certificate.bundle(), form, item.pem,
                        target.payloadLimit()));
            } catch (HaproxyRefusedException tooLarge) {
                return new BulkCommands(item, List.of(), first, line, tooLarge);
            }
            out.add(Command.of("commit", "ssl", "cert", name));
        }
        if (w.addRuntimeCrtListEntry()) {
            out.add(Command.withPayload(line, "add", "ssl", "crt-list", target.crtList()));
        }
        return new BulkCommands(item, List.copyOf(out), first, line, null);
    }

    /**
     * What the replies say for this certificate.
     *
     * @param created a new empty store was created (to delete if nothing was committed into it)
     * @param committed HAProxy serves the new certificate now
     * @param retry caught in another certificate's transaction or in HAProxy's certificate lock: try again alone
     * @param abortName a transaction left open that must be aborted before anything else is set
     * @param failure this certificate's own refusal; null on success or retry
     */
    record Verdict(boolean created, boolean committed, boolean retry, Optional<String> abortName,
                   HaproxyRefusedException failure) {
    }

    Verdict judge(List<Reply> replies, String where) {
        boolean created = false;
        boolean committed = !item.work.loadInRuntime();
        int at = first;
        for (Command c : commands) {
            Reply r = replies.get(at++);
            String verb = c.words().get(0);
            String last = r.lastLine();
            if (r.isLocked()) {
                // Another client's commit holds HAProxy's certificate lock: this certificate goes again alone, which
                // retries with backoff and does only what is still missing.
                return new Verdict(created, committed, true, Optional.empty(), null);
            }
            switch (verb) {
                case "new" -> {
                    if (!last.equals("New empty certificate store '" + item.certName + "'!")) {
                        return new Verdict(false, false, false, Optional.empty(), refused(r, where));
                    }
                    created = true;
                }
                case "set" -> {
                    Matcher m = TRANSACTION_REPLY.matcher(last);
                    if (!m.matches()) {
                        if (RuntimeApiClient.ongoingTransaction(r.text(), "set '" + item.certName + "'").isPresent()) {
                            // HAProxy 3.0 refuses a set while another certificate's transaction is open (one left by a
                            // refused commit, aborted by the clean-up, or another client's): try again alone.
                            return new Verdict(created, false, true, Optional.empty(), null);
                        }
                        return new Verdict(created, false, false, Optional.empty(), refused(r, where));
                    }
                    if (!m.group(2).equals(item.certName)) {
                        // Landed in another certificate's transaction (left open by a refused commit): abort that one
                        // and try this certificate again alone.
                        return new Verdict(created, false, true, Optional.of(m.group(2)), null);
                    }
                }
                case "commit" -> {
                    if (!last.equals("Success!") || r.text().contains("Failed!")) {
                        // The transaction stays open: abort it, or the next set lands in it.
                        return new Verdict(created, false, false, Optional.of(item.certName), refused(r, where));
                    }
                    committed = true;
                }
                case "add" -> {
                    if (!last.equals("Success!") || !r.text().startsWith("Inserting certificate '")) {
                        return new Verdict(created, committed, false, Optional.empty(), refused(r, where));
                    }
                }
                default -> throw new IllegalStateException("unexpected command in a bulk batch: " + c);
            }
        }
        return new Verdict(created, committed, false, Optional.empty(), null);
    }

    private static HaproxyRefusedException refused(Reply r, String where) {
        if (r.lastLine().equals("Permission denied")) {
            return new HaproxyRefusedException("the Runtime API socket at " + where + " is not at level admin (HAProxy"
                    + " answered 'Permission denied' to '" + r.command() + "'): add 'level admin' and reload HAProxy");
        }
        return new HaproxyRefusedException("HAProxy at " + where + " refused '" + r.command() + "': "
                + (r.text().isBlank() ? "(empty answer)" : r.scrubbed()));
    }
}
