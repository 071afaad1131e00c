package dev.hapcert.safety;

/**
 * One line of the table in {@code docs/reliability.md}: a case name as the tests use it, its group, the situation
 * and the outcome the test asserts. Every test class of this package lists its rows, and
 * {@link ReliabilityDocTest} checks that the document holds exactly these rows.
 */
record DocRow(String name, String group, String situation, String outcome) {
    static DocRow of(SafetyCase c) {
        return new DocRow(c.name(), c.group(), c.situation(), c.outcome());
    }

    String markdown() {
        return "| `" + name + "` | " + situation.replace("|", "\\|") + " | " + outcome.replace("|", "\\|") + " |";
    }
}
