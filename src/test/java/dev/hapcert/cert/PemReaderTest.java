package dev.hapcert.cert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hapcert.error.InvalidInputException;
import dev.hapcert.testkit.TestCertificates.Issued;
import dev.hapcert.testkit.TestCertificates.KeyType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PemReaderTest {
    private static final String ORIGIN = "/etc/ssl/shop.pem";
    private static final Issued ISSUED = Fixtures.leaf(KeyType.EC_P256);
    private static final String CLEAN = ISSUED.haproxyPem();

    static Stream<Arguments> tolerated() {
        return Stream.of(
                Arguments.of("canonical", UnaryOperator.<String>identity()),
                Arguments.of("CRLF", (UnaryOperator<String>) s -> s.replace("\n", "\r\n")),
                Arguments.of("CR only", (UnaryOperator<String>) s -> s.replace("\n", "\r")),
                Arguments.of("blank lines everywhere", (UnaryOperator<String>) s -> s.replace("\n", "\n\n")),
                Arguments.of("glued blocks", (UnaryOperator<String>) s -> s.replace("-----\n-----BEGIN", "----------BEGIN")),
                Arguments.of("no final newline", (UnaryOperator<String>) String::strip),
                Arguments.of("text around", (UnaryOperator<String>) s -> "Bag Attributes\n  friendlyName: shop\nsubject=CN = shop\n"
                        + s.replace("-----\n-----BEGIN", "-----\nnext one:\n-----BEGIN") + "\nkeep this safe\n"),
                Arguments.of("indented base64 and trailing blanks", (UnaryOperator<String>) s -> s.replaceAll("(?m)^([A-Za-z0-9+/=]+)$", "  $1 \t")),
                Arguments.of("byte-order mark", (UnaryOperator<String>) s -> "\uFEFF" + s),
                Arguments.of("all at once", (UnaryOperator<String>) s -> s.replace("-----\n-----BEGIN", "----------BEGIN")
                        .replace("\n", "\r\n\r\n").strip()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tolerated")
    void toleratedLayoutsYieldTheSameBlocks(String name, UnaryOperator<String> mutation) throws Exception {
        List<PemBlock> expected = PemReader.read(CLEAN, ORIGIN);
        assertThat(expected).extracting(PemBlock::label).containsExactly("CERTIFICATE", "CERTIFICATE", "PRIVATE KEY");

        List<PemBlock> blocks = PemReader.read(mutation.apply(CLEAN), ORIGIN);

        assertThat(blocks).isEqualTo(expected);
        StringBuilder rendered = new StringBuilder();
        blocks.forEach(b -> rendered.append(b.toPem()));
        KeyLeaks.assertSameSecret(rendered.toString(), CLEAN);
    }

    static Stream<Arguments> rejected() {
        String cert = ISSUED.certPem();
        String certBody = cert.substring(cert.indexOf('\n') + 1, cert.indexOf("-----END"));
        return Stream.of(
                Arguments.of("empty", "", "is empty"),
                Arguments.of("only blank lines", " \r\n\n\t\n", "is empty"),
                Arguments.of("no PEM at all", "this is not a certificate\n", "contains no PEM block"),
                Arguments.of("base64 without armour", certBody, "contains no PEM block"),
                Arguments.of("binary DER read as text", "0\u0082\u0003\u0001garbage", "looks like binary DER"),
                Arguments.of("BEGIN without END", cert.substring(0, cert.indexOf("-----END")),
                        "the CERTIFICATE block starting at line 1 has no -----END CERTIFICATE----- line; the file is truncated"),
                Arguments.of("truncated then next block", cert.substring(0, cert.indexOf("-----END")) + cert,
                        "has no END line before the next BEGIN at line"),
                Arguments.of("END label mismatch", cert.replace("-----END CERTIFICATE-----", "-----END PRIVATE KEY-----"),
                        "ends with -----END PRIVATE KEY----- at line"),
                Arguments.of("END without BEGIN", cert.substring(cert.indexOf('\n') + 1), "has no matching BEGIN line"),
                Arguments.of("corrupt base64 characters", cert.replace(certBody.substring(10, 14), "*!?#"), "is not valid base64"),
                Arguments.of("corrupt base64 padding", "-----BEGIN CERTIFICATE-----\nQUJD=\n-----END CERTIFICATE-----\n",
                        "is not valid base64"),
                Arguments.of("empty block", "-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----\n",
                        "the CERTIFICATE block at line 1 is empty"),
                Arguments.of("encrypted traditional key", "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
                        + "DEK-Info: AES-128-CBC,0123456789ABCDEF0123456789ABCDEF\n\nQUJD\n-----END RSA PRIVATE KEY-----\n",
                        "encrypted keys are not supported: decrypt it first with `openssl pkey -in KEY -out KEY.plain`"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void rejectsWithASpecificMessage(String name, String input, String expected) {
        assertThatThrownBy(() -> PemReader.read(input, ORIGIN))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(ORIGIN)
                .hasMessageContaining(expected)
                .satisfies(e -> KeyLeaks.assertNoKeyMaterial(e.getMessage(), ISSUED));
    }

    @Test
    void damagedKeyBlockMessageCarriesNoKeyMaterial() {
        String damaged = CLEAN.replace("-----END PRIVATE KEY-----", "-----END RSA PRIVATE KEY-----");
        assertThatThrownBy(() -> PemReader.read(damaged, ORIGIN))
                .hasMessageContaining("ends with -----END RSA PRIVATE KEY-----")
                .satisfies(e -> KeyLeaks.assertNoKeyMaterial(e.getMessage(), ISSUED));
    }

    @Test
    void readsAFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("shop.pem"), CLEAN.replace("\n", "\r\n"));
        assertThat(PemReader.read(file)).isEqualTo(PemReader.read(CLEAN, ORIGIN));
    }

    @Test
    void binaryDerFileIsRecognised(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("shop.der"), ISSUED.leaf().getEncoded());
        assertThatThrownBy(() -> PemReader.read(file))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("looks like binary DER")
                .hasMessageContaining("openssl x509 -inform der");
    }

    @Test
    void fileProblemsEachHaveTheirOwnMessage(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing.pem");
        assertThatThrownBy(() -> PemReader.read(missing)).hasMessage("file " + missing + " does not exist");

        assertThatThrownBy(() -> PemReader.read(dir)).hasMessage("file " + dir + " is a directory, not a file");

        Path dangling = Files.createSymbolicLink(dir.resolve("fullchain.pem"), Path.of("../../archive/x/fullchain3.pem"));
        assertThatThrownBy(() -> PemReader.read(dangling))
                .hasMessageStartingWith("file " + dangling + " is a symbolic link to ../../archive/x/fullchain3.pem,"
                        + " which does not exist");

        Path huge = dir.resolve("huge.pem");
        Files.write(huge, new byte[(int) InputFiles.MAX_BYTES + 1]);
        assertThatThrownBy(() -> PemReader.read(huge)).hasMessageContaining("too large");

        Path devNull = Path.of("/dev/null");
        assumeTrue(Files.exists(devNull), "no /dev/null here");
        assertThatThrownBy(() -> PemReader.read(devNull)).hasMessageContaining("is not a regular file");
    }

    @Test
    void unreadableFile(@TempDir Path dir) throws Exception {
        // Root reads any file whatever its mode, so this can only be checked as an ordinary user.
        assumeFalse("root".equals(System.getProperty("user.name")), "running as root: permission bits are not enforced");
        Path file = Files.writeString(dir.resolve("privkey.pem"), CLEAN);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        assertThatThrownBy(() -> PemReader.read(file)).hasMessageContaining("cannot be read: permission denied");
    }

    @Test
    void pemBlockIsACopyAndRedacted() {
        byte[] der = ISSUED.keys().getPrivate().getEncoded();
        PemBlock block = new PemBlock("PRIVATE KEY", der);
        der[0] ^= 1;
        block.der()[1] ^= 1;
        KeyLeaks.assertSameSecret(block.der(), ISSUED.keys().getPrivate().getEncoded());
        assertThat(block.toString()).isEqualTo("PemBlock[PRIVATE KEY, " + der.length + " bytes]");
        KeyLeaks.assertNoKeyMaterial(block.toString(), ISSUED);
        KeyLeaks.assertSameSecret(new String(block.toPemBytes(), StandardCharsets.US_ASCII), ISSUED.keyPkcs8Pem());
    }
}
