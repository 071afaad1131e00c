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
    private static final int DRAIN_MILLIS = 1_000;

    private TlsProbe() {
    }

    public static X509Certificate servedCertificate(String host, int port, String serverName) throws VerificationException {
        try {
            // A context per probe, so a session cache per probe: a resumed session reports the certificate of the
            // handshake it resumes, not the one served now (seen with one context shared by concurrent probes).
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new AcceptAnyServer()}, null);
            try (Socket tcp = new Socket()) {
                tcp.setTcpNoDelay(true);  // else the close_notify waits behind the Finished for a delayed ACK (40 ms)
                tcp.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
                tcp.setSoTimeout(TIMEOUT_MILLIS);
                SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(tcp, host, port, false);
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setServerNames(List.of(new SNIHostName(serverName)));
                socket.setSSLParameters(parameters);
                socket.startHandshake();
                Certificate[] chain = socket.getSession().getPeerCertificates();
                closeLeavingTimeWaitToServer(socket, tcp);
                return (X509Certificate) chain[0];
            }
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new VerificationException("TLS handshake with " + host + ":" + port + " for " + serverName + " failed: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Ends the connection so that the server closes first. Whoever closes first keeps the connection's port in
     * TIME_WAIT for a minute: on the server's side that costs nothing, on this side tens of thousands of probes in a
     * minute would run out of ports. A reset instead would leave nothing waiting, but HAProxy then logs each probe as
     * an "SSL handshake failure" (seen on 2.6: the reset comes before it has read the end of the handshake). So:
     * close_notify without closing TCP, read until the server has closed (HAProxy does at once, having had no
     * request), then close. A server that does not close within {@link #DRAIN_MILLIS} is reset after all.
     */
    private static void closeLeavingTimeWaitToServer(SSLSocket socket, Socket tcp) {
        try {
            socket.close();  // close_notify only: the socket was layered with autoClose false
            tcp.setSoTimeout(DRAIN_MILLIS);
            byte[] rest = new byte[512];
            while (tcp.getInputStream().read(rest) >= 0) {
                // What HAProxy sends after the handshake (session tickets, its close_notify) is not needed.
            }
        } catch (IOException e) {
            // The certificate is read; the connection only has to end: reset it.
            try {
                tcp.setSoLinger(true, 0);
            } catch (IOException ignored) {
                // Closed already.
            }
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
