package dev.hapcert.cert;

import dev.hapcert.error.InvalidInputException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;

/**
 * Checks that a {@link Bundle} is fit to serve before anything is touched: the required names are well formed,
 * the key belongs to the leaf, each certificate is signed by the next, the leaf is valid now, and every required
 * name is covered. The first problem found is thrown as an {@link InvalidInputException} naming the certificate
 * concerned; nothing is deployed, so the certificate HAProxy serves today keeps serving.
 */
public final class BundleValidator {
    private BundleValidator() {
    }

    public static void validate(Bundle bundle, Collection<String> requiredNames, Instant now) throws InvalidInputException {
        List<String> required = new ArrayList<>();
        for (String name : requiredNames) {
            required.add(DnsNames.requireValid(name));
        }
        List<X509Certificate> certs = bundle.certificates();
        checkKey(bundle, certs);
        checkChain(certs);
        checkValidity(bundle, now);
        checkNames(bundle, required);
    }

    private static void checkKey(Bundle bundle, List<X509Certificate> certs) throws InvalidInputException {
        if (KeyPairCheck.matches(bundle.key(), bundle.leaf())) {
            return;
        }
        for (int i = 1; i < certs.size(); i++) {
            if (KeyPairCheck.matches(bundle.key(), certs.get(i))) {
                throw new InvalidInputException("chain out of order: the private key belongs to "
                        + CertificateNames.describe(certs.get(i), i) + ", but the certificate the key belongs to must come first");
            }
        }
        throw new InvalidInputException("the private key does not belong to " + CertificateNames.describe(bundle.leaf(), 0)
                + " (" + bundle.key().algorithm() + " key, " + bundle.keyDescription() + " certificate):"
                + " the key file is from another certificate or an older issuance; use the key written with this certificate");
    }

    private static void checkChain(List<X509Certificate> certs) throws InvalidInputException {
        for (int i = 0; i + 1 < certs.size(); i++) {
            X509Certificate subject = certs.get(i);
            if (signs(certs.get(i + 1), subject)) {
                continue;
            }
            for (int j = i + 2; j < certs.size(); j++) {
                if (signs(certs.get(j), subject)) {
                    throw new InvalidInputException("chain out of order: " + CertificateNames.describe(subject, i)
                            + " is signed by " + CertificateNames.describe(certs.get(j), j)
                            + ", which must come right after it");
                }
            }
            throw new InvalidInputException(CertificateNames.describe(certs.get(i + 1), i + 1)
                    + " is unrelated to the chain: it did not sign " + CertificateNames.describe(subject, i)
                    + "; use the chain file your CA issued with this certificate (certbot: fullchain.pem)");
        }
    }

    private static boolean signs(X509Certificate issuer, X509Certificate subject) {
        // Equal encodings are equal names. Only different encodings need X500Principal's comparison of canonical
        // forms, whose first use loads the JDK's Unicode normalisation data: milliseconds on the deploy hook's path.
        X500Principal issuerName = issuer.getSubjectX500Principal();
        X500Principal namedIssuer = subject.getIssuerX500Principal();
        if (!Arrays.equals(issuerName.getEncoded(), namedIssuer.getEncoded()) && !issuerName.equals(namedIssuer)) {
            return false;
        }
        Optional<Boolean> byKeyId = KeyIdentifiers.issuedBy(subject, issuer);
        if (byKeyId.isPresent()) {
            return byKeyId.get();
        }
        try {
            subject.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static void checkValidity(Bundle bundle, Instant now) throws InvalidInputException {
        if (now.isAfter(bundle.notAfter())) {
            throw new InvalidInputException(CertificateNames.describe(bundle.leaf(), 0) + " expired on "
                    + utc(bundle.notAfter()) + ": renew it before deploying");
        }
        if (now.isBefore(bundle.notBefore())) {
            throw new InvalidInputException(CertificateNames.describe(bundle.leaf(), 0) + " is not valid until "
                    + utc(bundle.notBefore()) + ": check this machine's clock");
        }
    }

    /** Only for messages; a formatter built when the class loads would cost every valid deploy its set-up. */
    private static String utc(Instant instant) {
        return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC).format(instant);
    }

    private static void checkNames(Bundle bundle, List<String> required) throws InvalidInputException {
        List<String> covered = bundle.dnsNames();
        for (String name : required) {
            if (covered.stream().noneMatch(c -> DnsNames.covers(c, name))) {
                List<String> shown = covered.stream().map(CertificateNames::printable).toList();
                throw new InvalidInputException("certificate does not cover " + name + " (it covers: "
                        + String.join(", ", shown) + ")");
            }
        }
    }
}
