package dev.hapcert.deploy;

import dev.hapcert.error.VerificationException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Performs a real TLS handshake with SNI and returns the certificate the server presented. It trusts whatever is
 * presented on purpose: the probe only reads which certificate HAProxy serves for a name (compared by serial and
 * fingerprint afterwards) and sends no data over the connection.
 */
public final class TlsProbe {
    private static final int TIMEOUT_MILLIS = 5_000;

    private TlsProbe() {
    }

    public static X509Certificate servedCertificate(String host, int port, String serverName) throws VerificationException {
        try {
            // A context per probe, so a session cache per probe: a resumed session reports the certificate of the
            // handshake it resumes, not the one served now (seen with one context shared by concurrent probes).
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new AcceptAnyServer()}, null);
            try (Socket tcp = new Socket()) {
                // Closed with a reset, as HAProxy's own health checks close theirs: a graceful close leaves the
                // probe's port in TIME_WAIT for a minute, and tens of thousands of probes would run out of ports.
                tcp.setSoLinger(true, 0);
                tcp.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
                tcp.setSoTimeout(TIMEOUT_MILLIS);
                // Not closed itself (that would send close_notify and half-close first): closing tcp ends both.
                SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(tcp, host, port, false);
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setServerNames(List.of(new SNIHostName(serverName)));
                socket.setSSLParameters(parameters);
                socket.startHandshake();
                Certificate[] chain = socket.getSession().getPeerCertificates();
                return (X509Certificate) chain[0];
            }
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new VerificationException("TLS handshake with " + host + ":" + port + " for " + serverName + " failed: "
                    + e.getMessage(), e);
        }
    }

    /** The name to send as SNI for a certificate name: a wildcard is probed with a made-up first label. */
    public static String probeName(String dnsName) {
        return dnsName.startsWith("*.") ? "hapcert-probe" + dnsName.substring(1) : dnsName;
    }

    private static final class AcceptAnyServer implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
