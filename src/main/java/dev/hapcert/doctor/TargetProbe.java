package dev.hapcert.doctor;

import dev.hapcert.config.TargetConfig;
import dev.hapcert.error.HapcertException;
import dev.hapcert.error.HaproxyRefusedException;
import dev.hapcert.haproxy.RuntimeApiAddress;
import dev.hapcert.haproxy.RuntimeApiClient;
import java.util.List;
import java.util.Optional;

/**
 * One target under examination: its configuration and, when it could be reached, one Runtime API connection that
 * every check shares. The first {@code show ssl crt-list} is cached: it doubles as the admin-level probe.
 */
final class TargetProbe implements AutoCloseable {
    private final TargetConfig target;
    private final RuntimeApiClient client;
    private final HapcertException connectFailure;
    private List<String> crtLists;
    private HapcertException crtListsFailure;

    private TargetProbe(TargetConfig target, RuntimeApiClient client, HapcertException connectFailure) {
        this.target = target;
        this.client = client;
        this.connectFailure = connectFailure;
    }

    /** Connects the way deploy does (a master CLI routes to the current worker); never throws. */
    static TargetProbe open(TargetConfig target) {
        if (target.docker().isPresent()) {
            return new TargetProbe(target, null, null);
        }
        try {
            RuntimeApiAddress address = RuntimeApiAddress.parse(target.runtimeApi());
            return new TargetProbe(target, RuntimeApiClient.open(target.masterCli() ? address.asMasterCli() : address), null);
        } catch (HapcertException e) {
            return new TargetProbe(target, null, e);
        }
    }

    TargetConfig target() {
        return target;
    }

    String name() {
        return target.name();
    }

    /**
     * A container target without {@code paths}: its host paths are only known from the container's mounts, which
     * {@link ContainerCheck} inspects; the configured paths are the container's view and mean nothing on this host.
     */
    boolean pathsComeFromContainerMounts() {
        return target.docker().isPresent() && target.paths().mounts().isEmpty();
    }

    /** The connection; empty when HAProxy could not be reached (see {@link #connectFailure()}) or is in a container. */
    Optional<RuntimeApiClient> client() {
        return Optional.ofNullable(client);
    }

    Optional<HapcertException> connectFailure() {
        return Optional.ofNullable(connectFailure);
    }

    /**
     * {@code show ssl crt-list}: the crt-lists and {@code crt <dir>} directories HAProxy knows. Empty when not reached
     * or refused; {@link #crtListsFailure()} says why.
     */
    Optional<List<String>> crtLists() {
        if (client == null) {
            return Optional.empty();
        }
        if (crtLists == null && crtListsFailure == null) {
            try {
                crtLists = client.showCrtLists();
            } catch (HapcertException e) {
                crtListsFailure = e;
            }
        }
        return Optional.ofNullable(crtLists);
    }

    Optional<HapcertException> crtListsFailure() {
        crtLists();
        return Optional.ofNullable(crtListsFailure);
    }

    /** Whether HAProxy refused the admin probe for lack of privileges (not for another reason). */
    boolean belowAdmin() {
        return crtListsFailure().filter(e -> e instanceof HaproxyRefusedException
                && e.getMessage().contains("not at level admin")).isPresent();
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
    }
}
