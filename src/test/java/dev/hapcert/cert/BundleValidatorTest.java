package dev.hapcert.cert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hapcert.error.InvalidInputException;
import dev.hapcert.testkit.TestCertificates;
import dev.hapcert.testkit.TestCertificates.Authority;
import dev.hapcert.testkit.TestCertificates.Issued;
import dev.hapcert.testkit.TestCertificates.KeyType;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BundleValidatorTest {
    private static final Issued ISSUED = Fixtures.leaf(KeyType.EC_P256);
    private static final Instant NOW = Instant.now();

    private static Bundle bundle(Issued issued) throws Exception {
        return new Bundle(issued.leaf(), issued.chain(), Fixtures.pkcs8(issued.keys().getPrivate()));
    }

    @Test
    void aGoodBundlePasses() throws Exception {
        assertThatCode(() -> BundleValidator.validate(bundle(ISSUED), List.of("shop.example.test", "WWW.Shop.Example.Test"), NOW))
                .doesNotThrowAnyException();
    }

    @Test
    void aKeyFromAnotherCertificateIsRefused() throws Exception {
        Bundle wrong = new Bundle(ISSUED.leaf(), ISSUED.chain(), Fixtures.pkcs8(Fixtures.leaf(KeyType.RSA_2048).keys().getPrivate()));
        assertThatThrownBy(() -> BundleValidator.validate(wrong, List.of(), NOW))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("the private key does not belong to certificate #1 (CN=shop.example.test) (RSA key, EC256 certificate)")
                .satisfies(e -> KeyLeaks.assertNoKeyMaterial(e.getMessage(), ISSUED, Fixtures.leaf(KeyType.RSA_2048)));
    }

    @Test
    void theIntermediatesKeyMeansTheChainIsOutOfOrder() throws Exception {
        Bundle swapped = new Bundle(ISSUED.leaf(), ISSUED.chain(), Fixtures.pkcs8(Fixtures.INTERMEDIATE.keys().getPrivate()));
        assertThatThrownBy(() -> BundleValidator.validate(swapped, List.of(), NOW))
                .hasMessageStartingWith("chain out of order: the private key belongs to certificate #2 (CN=hapcert Test Intermediate)");
    }

    @Test
    void chainOrderAndUnrelatedCertificatesAreTold() throws Exception {
        Authority second = Fixtures.INTERMEDIATE.intermediate("hapcert Test Intermediate 2");
        Issued deep = second.leaf("deep.example.test").serial(Fixtures.nextSerial()).issue();
        var key = Fixtures.pkcs8(deep.keys().getPrivate());
        Bundle ordered = new Bundle(deep.leaf(), List.of(second.certificate(), Fixtures.INTERMEDIATE.certificate()), key);
        assertThatCode(() -> BundleValidator.validate(ordered, List.of("deep.example.test"), NOW)).doesNotThrowAnyException();

        Bundle reversed = new Bundle(deep.leaf(), List.of(Fixtures.INTERMEDIATE.certificate(), second.certificate()), key);
        assertThatThrownBy(() -> BundleValidator.validate(reversed, List.of(), NOW))
                .hasMessage("chain out of order: certificate #1 (CN=deep.example.test) is signed by certificate #3"
                        + " (CN=hapcert Test Intermediate 2), which must come right after it");

        Authority stranger = TestCertificates.newRootCa("Other Root").intermediate("Other Intermediate");
        Bundle unrelated = new Bundle(deep.leaf(), List.of(second.certificate(), stranger.certificate()), key);
        assertThatThrownBy(() -> BundleValidator.validate(unrelated, List.of(), NOW))
                .hasMessageStartingWith("certificate #3 (CN=Other Intermediate) is unrelated to the chain:"
                        + " it did not sign certificate #2 (CN=hapcert Test Intermediate 2)");
    }

    @Test
    void validityIsCheckedAgainstTheGivenTime() throws Exception {
        Issued old = Fixtures.INTERMEDIATE.leaf("old.example.test").serial(Fixtures.nextSerial())
                .validity(Instant.parse("2020-01-01T00:00:00Z"), Instant.parse("2020-03-31T12:00:00Z")).issue();
        Bundle bundle = bundle(old);
        assertThatThrownBy(() -> BundleValidator.validate(bundle, List.of(), NOW))
                .hasMessage("certificate #1 (CN=old.example.test) expired on 2020-03-31 12:00:00 UTC: renew it before deploying");
        assertThatThrownBy(() -> BundleValidator.validate(bundle, List.of(), Instant.parse("2019-12-31T00:00:00Z")))
                .hasMessage("certificate #1 (CN=old.example.test) is not valid until 2020-01-01 00:00:00 UTC: check this machine's clock");
        assertThatCode(() -> BundleValidator.validate(bundle, List.of(), Instant.parse("2020-02-01T00:00:00Z")))
                .doesNotThrowAnyException();
    }

    @Test
    void aMissingNameIsNamed() throws Exception {
        assertThatThrownBy(() -> BundleValidator.validate(bundle(ISSUED), List.of("shop.example.test", "cart.example.test"), NOW))
                .hasMessage("certificate does not cover cart.example.test (it covers: shop.example.test, www.shop.example.test)");
    }

    @Test
    void aWildcardCoversExactlyOneLabel() throws Exception {
        Bundle wildcard = bundle(Fixtures.INTERMEDIATE.leaf("*.example.test").serial(Fixtures.nextSerial()).issue());
        assertThatCode(() -> BundleValidator.validate(wildcard, List.of("shop.example.test", "*.example.test"), NOW))
                .doesNotThrowAnyException();
        for (String uncovered : List.of("a.shop.example.test", "example.test", "*.shop.example.test", "shop.example.org")) {
            assertThatThrownBy(() -> BundleValidator.validate(wildcard, List.of(uncovered), NOW))
                    .hasMessage("certificate does not cover " + uncovered + " (it covers: *.example.test)");
        }
    }

    static Stream<Arguments> hostileNames() {
        return Stream.of(
                Arguments.of("shop example.test", "is not a valid DNS name"),
                Arguments.of("shop.example.test\nrm -rf /", "is not a valid DNS name"),
                Arguments.of("shop.example.test;reboot", "is not a valid DNS name"),
                Arguments.of("$(reboot).example.test", "is not a valid DNS name"),
                Arguments.of("`id`.example.test", "is not a valid DNS name"),
                Arguments.of("../../etc/passwd", "is not a valid DNS name"),
                Arguments.of("shop..example.test", "is not a valid DNS name"),
                Arguments.of("-shop.example.test", "is not a valid DNS name"),
                Arguments.of("shop.example.test.", "is not a valid DNS name"),
                Arguments.of("a.*.example.test", "is not a valid DNS name"),
                Arguments.of("*", "is not a valid DNS name"),
                Arguments.of("*.", "is not a valid DNS name"),
                Arguments.of("x".repeat(64) + ".example.test", "is not a valid DNS name"),
                Arguments.of("a.".repeat(130) + "test", "characters long; a DNS name has at most 253"),
                Arguments.of("bücher.example.test", "is not ASCII: give an internationalised name in its punycode form"),
                Arguments.of("", "a required name is empty"));
    }

    @ParameterizedTest(name = "{index}")
    @MethodSource("hostileNames")
    void hostileRequiredNamesAreRefusedBeforeAnythingElse(String name, String expected) throws Exception {
        Bundle bundle = bundle(ISSUED);
        assertThatThrownBy(() -> BundleValidator.validate(bundle, List.of("shop.example.test", name), NOW))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(expected)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").hasSizeLessThan(400));
    }
}
