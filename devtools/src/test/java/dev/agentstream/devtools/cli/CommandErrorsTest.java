package dev.agentstream.devtools.cli;

import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

class CommandErrorsTest {

    @Test
    void shouldNameEveryCauseOnce() {
        IOException missing = new FileNotFoundException("/sp/9f6d (No such file or directory)");
        RuntimeException wrapped = new RuntimeException(missing);
        IOException top =
                new IOException("cannot read the state files of the savepoint /sp", wrapped);

        assertThat(CommandErrors.describe(top))
                .isEqualTo(
                        "cannot read the state files of the savepoint /sp:"
                                + " /sp/9f6d (No such file or directory)");
    }

    @Test
    void shouldNameACauseWithoutAMessageByItsClass() {
        IOException top =
                new IOException("cannot read the savepoint's _metadata in /sp", new EOFException());

        assertThat(CommandErrors.describe(top))
                .isEqualTo("cannot read the savepoint's _metadata in /sp: EOFException");
        assertThat(CommandErrors.describe(new NullPointerException()))
                .isEqualTo("NullPointerException");
    }

    @Test
    void shouldKeepAMessageOfSeveralLinesOnOne() {
        IllegalStateException top =
                new IllegalStateException("Job execution failed.\n  at the savepoint writer\n");

        assertThat(CommandErrors.describe(top))
                .isEqualTo("Job execution failed. at the savepoint writer");
    }
}
