package dev.agentstream.udfs.envelope;

import java.util.Locale;

/** Why a record went to the dead-letter topic. The code travels in a record header. */
public enum DeadLetterReason {
    /** Bytes are not well-formed XML, or not UTF-8. */
    NOT_XML,
    /** A DOCTYPE declaration is present; DTDs are never processed. */
    DOCTYPE,
    /** Record larger than the configured envelope size limit. */
    TOO_LARGE,
    /** Nesting, attributes on one element, or one text or attribute value beyond the limits. */
    LIMIT_EXCEEDED,
    /** Root element is not {@code message} in the envelope namespace. */
    WRONG_ROOT,
    /** No {@code <meta>} block, or one out of order. */
    MISSING_META,
    /** An element in {@code <meta>} that is neither a routing field nor a foreign extension. */
    BAD_META,
    /** No {@code <from>} or an empty one. */
    MISSING_FROM,
    /** No {@code <thread>} or an empty one. */
    MISSING_THREAD,
    /** {@code <thread>} is not a UUID. */
    THREAD_NOT_UUID,
    /** No payload element. */
    NO_PAYLOAD,
    /** More than one payload element, or text beside the payload. */
    MULTIPLE_PAYLOADS,
    /** Addressed to a listener the organism does not declare. */
    UNKNOWN_RECIPIENT,
    /** Addressed to an agent with a payload whose root tag is not that agent's. */
    PAYLOAD_MISMATCH,
    /** The thread already had as many agent turns as {@code context.max-turns} allows. */
    TURN_LIMIT,
    /** The thread's turns already used as many tokens as {@code context.max-thread-tokens}. */
    TOKEN_LIMIT,
    /**
     * A registry link the job did not write: malformed, unsigned, or signed for another envelope.
     */
    FORGED_LINK,
    /** A registry link the job wrote, arriving again: a call or an answer is taken once. */
    REPLAYED_LINK,
    /**
     * A call deeper below its root thread than {@code registry.max-depth} allows, or an answer to a
     * call that was answered already.
     */
    CHAIN_EXHAUSTED,
    /**
     * Looks like an answer to an agent (from a listener, with a payload not the agent's) on a
     * thread where that agent has no open call: never a subthread, or its link has expired.
     */
    UNKNOWN_CHAIN,
    /** The tenant's name, from the topic, the token or the stamp, is not a tenant name. */
    BAD_TENANT,
    /**
     * A tenant stamp the job did not write for this envelope: unsigned, signed with another key,
     * copied from another envelope, repeated, or naming another tenant than the topic's.
     */
    FORGED_TENANT,
    /** Token mode: no token (and no stamp) among the meta extensions. */
    TOKEN_MISSING,
    /** Token mode: more than one token among the meta extensions. */
    TOKEN_MULTIPLE,
    /** Token mode: the token is not a JWT, its claims are not JSON, or it lacks {@code exp}. */
    TOKEN_MALFORMED,
    /**
     * Token mode: unsigned ({@code none}), encrypted, or signed with an algorithm its key does not
     * allow (an HMAC algorithm with a public key among them).
     */
    TOKEN_ALGORITHM,
    /** Token mode: no key the job knows signed the token. */
    TOKEN_SIGNATURE,
    /** Token mode: the token's {@code typ} header is missing or not one accepted. */
    TOKEN_TYPE,
    /** Token mode: the token's {@code iss} is not the configured issuer. */
    TOKEN_ISSUER,
    /** Token mode: the token's {@code aud} does not name the configured audience. */
    TOKEN_AUDIENCE,
    /** Token mode: the token's {@code exp} is past, beyond the clock skew. */
    TOKEN_EXPIRED,
    /** Token mode: the token's {@code nbf} is ahead, beyond the clock skew. */
    TOKEN_NOT_YET_VALID,
    /** Token mode: the token has no tenant claim. */
    TOKEN_NO_TENANT,
    /** Token mode: the token does not allow the envelope's {@code <from>}. */
    SENDER_NOT_ALLOWED,

    /** Control topic: a command without exactly one signature in its meta. */
    CONTROL_UNSIGNED,
    /** Control topic: a command whose signature is not the control key's for this command. */
    CONTROL_SIGNATURE,
    /** Control topic: a command signed too long before (or after) it reached the topic. */
    CONTROL_EXPIRED,
    /** Control topic: a payload that is no command the job knows, or a malformed one. */
    CONTROL_UNKNOWN,

    /**
     * The envelope was used, but its transcript item would be over DynamoDB's item limit: the
     * transcript keeps the entry without its payload.
     */
    TRANSCRIPT_TOO_LARGE;

    /** Kebab-case code, e.g. {@code thread-not-uuid}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
