package dev.hapcert.cert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hapcert.error.ConfigException;
import dev.hapcert.testkit.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IssuerChainsTest {
    private static final TestCertificates.Authority ROOT = TestCertificates.newRootCa("issuers root");
    private static final TestCertificates.Authority CA = ROOT.intermediate("issuers CA");
    private static final TestCertificates.Authority OTHER_CA = ROOT.intermediate("other CA");

    @TempDir
    Path dir;

    private static Bundle bundle(TestCertificates.Issued issued) throws Exception {
        return BundleReader.fromPem(issued.haproxyPem(), "test");
    }

    @Test
    void aBundleWhoseExactChainIsAnIssuerFileIsCompleted() throws Exception {
        Files.writeString(dir.resolve("ca.pem"), TestCertificates.pem(CA.certificate()));
        IssuerChains chains = IssuerChains.load(dir, Instant.MAX);
        assertThat(chains.size()).isEqualTo(1);
        Bundle b = bundle(CA.leaf("a.issuers.test").issue());
        assertThat(chains.completes(b)).isTrue();
        String withoutChain = new String(b.haproxyPem(false), java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(withoutChain).contains("PRIVATE KEY").containsOnlyOnce("BEGIN CERTIFICATE");
        assertThat(b.haproxyPem(true)).isEqualTo(b.haproxyPem());
    }

    @Test
    void anythingElseKeepsItsChain() throws Exception {
        // The issuer's file holds more than the bundle's chain; another CA's file; a file HAProxy would skip.
        Files.writeString(dir.resolve("ca.pem"), TestCertificates.pem(CA.certificate())
                + TestCertificates.pem(ROOT.certificate()));
        Files.writeString(dir.resolve("other.pem"), TestCertificates.pem(OTHER_CA.certificate()));
        Files.writeString(dir.resolve("leaf.pem"), TestCertificates.pem(CA.leaf("x.issuers.test").issue().leaf()));
        Files.writeString(dir.resolve("notes.txt"), "not a certificate\n");
        Files.createDirectory(dir.resolve("sub.pem"));
        IssuerChains chains = IssuerChains.load(dir, Instant.MAX);
        assertThat(chains.size()).as("ca.pem and other.pem; a leaf is no issuer, nor is text or a directory")
                .isEqualTo(2);
        assertThat(chains.completes(bundle(CA.leaf("b.issuers.test").issue()))).isFalse();
        assertThat(chains.completes(bundle(ROOT.leaf("c.issuers.test").issue()))).as("no chain at all").isFalse();
        assertThat(chains.completes(bundle(OTHER_CA.leaf("d.issuers.test").issue()))).isTrue();
    }

    @Test
    void aBundleFileWithoutChainLacksAnIssuerOnlyWhenNoFileHasItsCa() throws Exception {
        Files.writeString(dir.resolve("ca.pem"), TestCertificates.pem(CA.certificate()));
        IssuerChains chains = IssuerChains.load(dir, Instant.MAX);
        Path bundles = Files.createDirectory(dir.resolve("bundles"));
        Path ofCa = Files.write(bundles.resolve("ca.pem"), bundle(CA.leaf("h.issuers.test").issue()).haproxyPem(false));
        Path ofOther = Files.write(bundles.resolve("other.pem"),
                bundle(OTHER_CA.leaf("i.issuers.test").issue()).haproxyPem(false));
        Path withChain = Files.write(bundles.resolve("chain.pem"), bundle(OTHER_CA.leaf("j.issuers.test").issue()).haproxyPem());
        TestCertificates.Authority selfSigned = TestCertificates.newRootCa("k.issuers.test");
        Path root = Files.writeString(bundles.resolve("root.pem"), TestCertificates.pem(selfSigned.certificate()));
        assertThat(chains.lacksIssuerFor(BundleReader.certificates(ofCa))).isFalse();
        assertThat(chains.lacksIssuerFor(BundleReader.certificates(ofOther))).isTrue();
        assertThat(chains.lacksIssuerFor(BundleReader.certificates(withChain))).as("it brings its chain").isFalse();
        assertThat(chains.lacksIssuerFor(BundleReader.certificates(root))).as("its own issuer").isFalse();
    }

    @Test
    void theChainMostBundlesCarryIsCountedCertificateForCertificate() throws Exception {
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            files.add(Files.write(dir.resolve("ca" + i + ".pem"), bundle(CA.leaf("ca" + i + ".issuers.test").issue()).haproxyPem()));
        }
        files.add(Files.write(dir.resolve("other.pem"), bundle(OTHER_CA.leaf("o.issuers.test").issue()).haproxyPem()));
        files.add(Files.write(dir.resolve("alone.pem"), bundle(CA.leaf("l.issuers.test").issue()).haproxyPem(false)));
        files.add(Files.writeString(dir.resolve("broken.pem"), "not PEM"));
        files.add(dir.resolve("missing.pem"));
        assertThat(IssuerChains.mostShared(files)).hasValueSatisfying(shared -> {
            assertThat(shared.bundles()).isEqualTo(3);
            assertThat(shared.issuer()).contains("issuers CA");
        });
        assertThat(IssuerChains.mostShared(files.subList(4, files.size()))).as("no file with a chain").isEmpty();
    }

    @Test
    void aFileChangedSinceHaproxyStartedDoesNotCount() throws Exception {
        Path file = Files.writeString(dir.resolve("ca.pem"), TestCertificates.pem(CA.certificate()));
        Instant started = Instant.now().minusSeconds(60);
        Files.setLastModifiedTime(file, FileTime.from(started.plusSeconds(1)));
        Bundle b = bundle(CA.leaf("g.issuers.test").issue());
        assertThat(IssuerChains.load(dir, started).completes(b)).as("HAProxy has not read it").isFalse();
        Files.setLastModifiedTime(file, FileTime.from(started.minusSeconds(1)));
        assertThat(IssuerChains.load(dir, started).completes(b)).isTrue();
    }

    @Test
    void readBeforeAStartIsWhatLoadingForThatStartReads() throws Exception {
        Instant started = Instant.now().minusSeconds(60);
        Path before = Files.writeString(dir.resolve("a.pem"), TestCertificates.pem(CA.certificate()));
        Files.setLastModifiedTime(before, FileTime.from(started.minusSeconds(1)));
        // A second file for the same issuer, written after the start: only a restart would see both.
        Path after = Files.writeString(dir.resolve("b.pem"), TestCertificates.pem(CA.certificate())
                + TestCertificates.pem(ROOT.certificate()));
        Files.setLastModifiedTime(after, FileTime.from(started.plusSeconds(1)));
        Bundle b = bundle(CA.leaf("r.issuers.test").issue());

        IssuerChains all = IssuerChains.load(dir, Instant.MAX);
        assertThat(all.completes(b)).as("two files for one issuer").isFalse();
        assertThat(all.size()).isZero();
        IssuerChains read = all.readBefore(started);
        assertThat(read.completes(b)).isEqualTo(IssuerChains.load(dir, started).completes(b)).isTrue();
        assertThat(read.size()).isEqualTo(1);
        assertThat(read.fileOf(List.of(CA.certificate()))).contains(before);
    }

    @Test
    void twoFilesForOneIssuerCompleteNothingForIt() throws Exception {
        Files.writeString(dir.resolve("a.pem"), TestCertificates.pem(CA.certificate()));
        Files.writeString(dir.resolve("b.pem"), TestCertificates.pem(CA.certificate()));
        assertThat(IssuerChains.load(dir, Instant.MAX).completes(bundle(CA.leaf("e.issuers.test").issue()))).isFalse();
    }

    @Test
    void filesOfAnyNameCountAsHaproxyReadsThem() throws Exception {
        // HAProxy 2.6 loads every regular file of the directory: an issuer in x.crt completes bundles, and beside
        // a .pem for the same issuer it makes two files for one issuer.
        Files.writeString(dir.resolve("x.crt"), TestCertificates.pem(CA.certificate()));
        Bundle b = bundle(CA.leaf("h.issuers.test").issue());
        assertThat(IssuerChains.load(dir, Instant.MAX).completes(b)).isTrue();
        Files.writeString(dir.resolve("y.pem"), TestCertificates.pem(CA.certificate())
                + TestCertificates.pem(ROOT.certificate()));
        assertThat(IssuerChains.load(dir, Instant.MAX).completes(b)).isFalse();
    }

    @Test
    void aMissingDirectoryIsAClearError() {
        assertThatThrownBy(() -> IssuerChains.load(dir.resolve("missing"), Instant.MAX))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cannot read issuers-chain-path");
        assertThat(IssuerChains.NONE.completes(TestCertificatesBundle.any())).isFalse();
    }

    /** A bundle for the NONE check, built once. */
    private static final class TestCertificatesBundle {
        static Bundle any() {
            try {
                return bundle(CA.leaf("f.issuers.test").issue());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
