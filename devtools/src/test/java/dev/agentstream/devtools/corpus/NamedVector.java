package dev.agentstream.devtools.corpus;

/**
 * One hostile input with a name and what the job must make of it.
 *
 * @param name what the attack is, for messages
 * @param value the record's bytes, null for a record without a value
 * @param expectedReason the dead-letter reason code the job must give it, or null when the input is
 *     a usable envelope the job must take (the attack is in what it must not do with it)
 */
public record NamedVector(String name, byte[] value, String expectedReason) {

    @Override
    public String toString() {
        return name;
    }
}
