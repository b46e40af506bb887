package dev.agentstream.udfs.registry;

/** A registry link on the bus that the job did not write for the envelope that carries it. */
public class ForgedLinkException extends Exception {

    private static final long serialVersionUID = 1L;

    public ForgedLinkException(String message) {
        super(message);
    }
}
