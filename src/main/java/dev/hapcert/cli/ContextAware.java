package dev.hapcert.cli;

/** A command that needs the run's streams and environment. */
interface ContextAware {
    void setContext(CommandContext context);
}
