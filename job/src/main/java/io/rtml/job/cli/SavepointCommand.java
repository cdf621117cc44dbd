package io.rtml.job.cli;

import picocli.CommandLine.Command;

/** {@code rtml savepoint <job id>}: a savepoint of a running job, which goes on running. */
@Command(
        name = "savepoint",
        mixinStandardHelpOptions = true,
        description = {
            "Takes a savepoint of a running job, which goes on running; prints its location.",
            "Resume from it with: rtml resume --from <location>"
        })
final class SavepointCommand extends SavepointTaking {
    @Override
    boolean stops() {
        return false;
    }
}
