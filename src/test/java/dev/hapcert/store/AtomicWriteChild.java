package dev.hapcert.store;

import dev.hapcert.config.FileOwnership;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/** Child process for crash and umask tests: {@code <target> <octal mode> <group or -> <content>}. */
public final class AtomicWriteChild {
    private AtomicWriteChild() {
    }

    public static void main(String[] args) throws Exception {
        FileOwnership ownership = new FileOwnership(FileOwnership.parseMode(args[1]),
                args[2].equals("-") ? Optional.empty() : Optional.of(args[2]));
        AtomicFileWriter.write(Path.of(args[0]), args[3].getBytes(StandardCharsets.UTF_8), ownership);
    }
}
