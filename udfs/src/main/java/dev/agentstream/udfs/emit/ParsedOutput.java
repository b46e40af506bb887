package dev.agentstream.udfs.emit;

import java.util.List;

/**
 * What {@link OutputParser} found in a model's answer: the payload elements in the order they came,
 * and the text around them.
 *
 * @param elements the payload elements, immutable, possibly empty
 * @param prose the remaining text, fences removed, one trimmed line per line of text; "" if none
 */
public record ParsedOutput(List<ParsedElement> elements, String prose) {

    public ParsedOutput {
        elements = List.copyOf(elements);
        prose = prose == null ? "" : prose;
    }

    /** Nothing found: no element and no prose. */
    public static ParsedOutput empty() {
        return new ParsedOutput(List.of(), "");
    }
}
