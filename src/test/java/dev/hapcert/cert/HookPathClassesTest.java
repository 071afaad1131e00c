package dev.hapcert.cert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.testkit.TestCertificates;
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
 * What reading and validating a bundle loads, as the deploy hook does, in a fresh JVM with {@code -verbose:class}:
 * each JVM start pays for every class it loads and every provider it looks up. A bundle as certbot writes it (EC
 * P-256, the key in PKCS#8 with its public point) needs neither the JDK's EC provider nor the logger that the JDK's
 * certificate parser looks up for its security events (which opens the jar), and of BouncyCastle only the ASN.1
 * structures, never its provider or PEM parser. The controls show that the check sees each of those being loaded when a bundle does need it.
 */
class HookPathClassesTest {
    @TempDir
    Path dir;

    @Test
    void aBundleAsCertbotWritesItNeedsNoSecurityProviderLookupNorBouncyCastleProvider() throws Exception {
        Issued issued = Fixtures.leaf(KeyType.EC_P256);
        String key = TestCertificates.pemBlock("PRIVATE KEY", Fixtures.opensslStylePkcs8(issued.keys(), issued.keys().getPublic()));
        List<String> loaded = loadedClasses(issued.fullchainPem() + key);
        assertThat(loaded).anyMatch(c -> c.startsWith("dev.hapcert.cert.KeyReader"));
        assertThat(loaded).anyMatch(c -> c.equals("org.bouncycastle.asn1.x509.Certificate"));
        assertThat(loaded).noneMatch(c -> c.startsWith("sun.security.ec."));
        // (The JDK's certificate factory itself is loaded here all the same: this JVM's class path holds BouncyCastle's
        // signed jar, whose verification reads its signer's certificate. The launcher's jar is unsigned.)
        assertThat(loaded).noneMatch(c -> c.startsWith("jdk.internal.logger."));
        assertThat(loaded).noneMatch(c -> c.startsWith("org.bouncycastle.jce.") || c.startsWith("org.bouncycastle.jcajce.")
                || c.startsWith("org.bouncycastle.openssl.") || c.startsWith("org.bouncycastle.crypto."));
    }

    @Test
    void aSec1KeyAsAcmeShLegoAndDehydratedWriteItNeedsNoneOfThatEither() throws Exception {
        Issued issued = Fixtures.leaf(KeyType.EC_P256);
        List<String> loaded = loadedClasses(issued.fullchainPem() + Fixtures.traditionalPem(issued));
        assertThat(loaded).anyMatch(c -> c.startsWith("dev.hapcert.cert.KeyReader"));
        assertThat(loaded).noneMatch(c -> c.startsWith("sun.security.ec."));
        assertThat(loaded).noneMatch(c -> c.startsWith("org.bouncycastle.openssl.") || c.startsWith("org.bouncycastle.jcajce."));
    }

    @Test
    void anEcKeyWithoutItsPublicPointIsDecodedByTheJdk() throws Exception {
        // The JDK's own PKCS#8 encoding leaves the point out: matching it to the certificate takes the real keys.
        Issued issued = Fixtures.leaf(KeyType.EC_P256);
        List<String> loaded = loadedClasses(issued.fullchainPem() + issued.keyPkcs8Pem());
        assertThat(loaded).anyMatch(c -> c.startsWith("sun.security.ec."));
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
