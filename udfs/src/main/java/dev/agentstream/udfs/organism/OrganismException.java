package dev.agentstream.udfs.organism;

/** The organism file cannot be used; the message names the file and the offending key. */
public class OrganismException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public OrganismException(String message) {
        super(message);
    }

    public OrganismException(String message, Throwable cause) {
        super(message, cause);
    }
}
