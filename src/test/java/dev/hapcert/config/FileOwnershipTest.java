package dev.hapcert.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FileOwnershipTest {
    @ParameterizedTest
    @CsvSource({"0600,0600", "600,0600", "0o640,0640", "0640,0640", "rw-r-----,0640", "0400,0400", "0660,0660"})
    void acceptedModes(String written, String octal) {
        FileOwnership f = new FileOwnership(FileOwnership.parseMode(written), Optional.of("haproxy"));
        assertThat(f.octalMode()).isEqualTo(octal);
        assertThat(FileOwnership.octal(f.ownerOnlyMode())).isEqualTo("0" + octal.charAt(1) + "00");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0644|mode 0644 would make private keys world-readable",
        "0604|mode 0604 would make private keys world-readable",
        "0602|mode 0602 would give other users access to private keys",
        "0700|mode 0700 has an execute bit",
        "0650|mode 0650 has an execute bit",
        "0200|mode 0200 leaves the owner unable to read the file",
        "777|mode 0777 would make private keys world-readable",
        "0800|must be an octal mode",
        "rw-|must be an octal mode"})
    void refusedModes(String written, String message) {
        assertThatThrownBy(() -> new FileOwnership(FileOwnership.parseMode(written), Optional.empty()))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining(message);
    }
}
