package dev.hapcert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** The deploy hook's picocli-free parser must fill exactly what picocli fills, or leave the line to picocli. */
class DeployArgsTest {
    static Stream<String> accepted() {
        return Stream.of(
                "deploy",
                "deploy --lineage /etc/letsencrypt/live/a.example",
                "deploy --lineage=/x/live/a --name shop --json",
                "deploy --fullchain /x/f.pem --key /x/k.pem",
                "deploy --cert /x/c.pem --chain /x/ch.pem --key /x/k.pem --dry-run --force",
                "deploy -c /etc/hapcert/hapcert.yml -t edge1,edge2 -t edge3 --lineage /x",
                "deploy --config=/x.yml --target=a --verbose --lock-timeout 5",
                "deploy --haproxy-config /etc/haproxy/haproxy.cfg --verify-tls 127.0.0.1:443 -v",
                "deploy --domains a.example,b.example --domains c.example --fullchain /f --key /k");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void fillsWhatPicocliFills(String line) {
        String[] args = line.split(" ");
        Optional<DeployCommand> fast = DeployArgs.parse(args);
        assertThat(fast).as("parsed without picocli").isPresent();
        assertThat(describe(fast.get())).isEqualTo(describe(viaPicocli(args)));
    }

    static Stream<String> leftToPicocli() {
        return Stream.of(
                "deploy --help", "deploy -h", "deploy --version", "deploy --lineage", "deploy --lineage --json",
                "deploy --unknown", "deploy extra-positional", "deploy -vc /x.yml", "deploy @args.txt",
                "deploy --name a --name b", "deploy --json --json", "deploy --lock-timeout soon",
                "deploy --lineage /x --fullchain /f", "deploy --key /k", "deploy --chain /c --key /k",
                "deploy --json=true", "deploy -c=/x.yml", "deploy -- --lineage /x", "status", "");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("leftToPicocli")
    void leavesEverythingElseToPicocli(String line) {
        assertThat(DeployArgs.parse(line.isEmpty() ? new String[0] : line.split(" "))).isEmpty();
    }

    @Test
    void knowsEveryOptionTheCommandDeclares() {
        CommandLine.Model.CommandSpec spec = new CommandLine(new DeployCommand()).getCommandSpec();
        Set<String> declared = new HashSet<>();
        spec.options().forEach(o -> declared.addAll(Arrays.asList(o.names())));
        declared.removeAll(Set.of("-h", "--help", "-V", "--version"));
        assertThat(DeployArgs.optionNames()).containsExactlyInAnyOrderElementsOf(declared);
    }

    private static DeployCommand viaPicocli(String[] args) {
        DeployCommand command = new DeployCommand();
        new CommandLine(command).parseArgs(Arrays.copyOfRange(args, 1, args.length));
        return command;
    }

    /** Every field either parser sets, as one comparable value. */
    private static List<Object> describe(DeployCommand c) {
        return Arrays.asList(c.targets.config, c.targets.haproxyConfig, c.targets.only, c.output.json, c.output.verbose,
                c.input == null ? null : c.input.lineage,
                c.input == null || c.input.files == null ? null
                        : Arrays.asList(c.input.files.certificate, c.input.files.chain, c.input.files.key),
                c.name, c.domains, c.change.dryRun, c.change.force, c.change.verifyTls, c.change.lockTimeoutSeconds);
    }
}
