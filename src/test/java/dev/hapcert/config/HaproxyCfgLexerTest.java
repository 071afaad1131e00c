package dev.hapcert.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HaproxyCfgLexerTest {
    /** Words are joined with '|' for the table; the cases follow the manual's section 2.2 matrix. */
    @ParameterizedTest
    @CsvSource(delimiter = ';', quoteCharacter = '`', value = {
        "`  bind :443 ssl crt-list /a.txt`;               bind|:443|ssl|crt-list|/a.txt",
        "`\tstats socket /run/a.sock\tlevel admin`;      stats|socket|/run/a.sock|level|admin",
        "`bind :443 # comment crt-list /x`;               bind|:443",
        "`# whole line`;                                  ``",
        "`crt-list \"/my dir/l.txt\"`;                    crt-list|/my dir/l.txt",
        "`crt-list '/my dir/l.txt'`;                      crt-list|/my dir/l.txt",
        "`crt-list /my\\ dir/l.txt`;                      crt-list|/my dir/l.txt",
        "`string \"a#b\" x\\#y`;                          string|a#b|x#y",
        "`a\"b c\"d`;                                     ab cd",
        "`'a\\b' \"a\\\\b\"`;                             a\\b|a\\b",
        "`\"it's\" '\"q\"'`;                              it's|\"q\"",
        "`\\x41\\x2f`;                                    A/",
        "`a\\qb`;                                         a\\qb",
        "`x\r`;                                           x"})
    void wordsFollowTheManual(String line, String expected) throws Exception {
        CfgLine lexed = HaproxyCfgLexer.lexLine(line, 1, "t.cfg");
        assertThat(String.join("|", lexed.words())).isEqualTo(expected);
    }
}
