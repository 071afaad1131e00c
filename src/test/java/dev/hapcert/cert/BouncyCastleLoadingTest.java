package dev.hapcert.cert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.testkit.TestCertificates.Issued;
import dev.hapcert.testkit.TestCertificates.KeyType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deploy-hook path must not load BouncyCastle for PKCS#8 keys (what certbot writes): each JVM start pays for every
 * class it loads. Checked in a fresh JVM with {@code -verbose:class}; a PKCS#1 key is the control that shows the
 * check can see BouncyCastle being loaded. Costs two short JVM starts.
 */
class BouncyCastleLoadingTest {
    @TempDir
    Path dir;

    @Test
    void pkcs8BundleLoadsNoBouncyCastleClass() throws Exception {
        Issued issued = Fixtures.leaf(KeyType.EC_P256);
        List<String> loaded = loadedClasses(issued.fullchainPem() + issued.keyPkcs8Pem());
        assertThat(loaded).anyMatch(c -> c.startsWith("dev.hapcert.cert.KeyReader"));
        assertThat(loaded).noneMatch(c -> c.startsWith("org.bouncycastle."));
    }

    @Test
    void pkcs1BundleDoesLoadBouncyCastle() throws Exception {
        Issued issued = Fixtures.leaf(KeyType.RSA_2048);
        List<String> loaded = loadedClasses(issued.fullchainPem() + Fixtures.traditionalPem(issued));
        assertThat(loaded).anyMatch(c -> c.startsWith("org.bouncycastle.openssl.PEMParser"));
    }

    private List<String> loadedClasses(String pem) throws IOException, InterruptedException {
        Path file = Files.writeString(dir.resolve("bundle.pem"), pem);
        Path out = dir.resolve("classes.log");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-verbose:class", "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), BundleLoadProbe.class.getName(), file.toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("probe JVM finished").isTrue();
        } finally {
            p.destroyForcibly();
        }
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("probe JVM exit code").isZero();
        assertThat(lines).contains("probe: bundle read");
        // Lines look like: [0.031s][info][class,load] java.lang.Object source: shared objects file
        return lines.stream().filter(l -> l.contains("[class,load] "))
                .map(l -> l.substring(l.indexOf("[class,load] ") + 13).split(" ")[0]).toList();
    }
}
