package dev.agentstream.udfs.emit;

import static java.util.Objects.requireNonNull;

/**
 * One payload element found in a model's answer.
 *
 * @param xml the element as self-contained XML, with the namespace declarations it needs
 * @param root its local name (the root tag that routes it)
 * @param namespace its namespace URI, or "" for a namespace-less element
 */
public record ParsedElement(String xml, String root, String namespace) {

    public ParsedElement {
        requireNonNull(xml, "xml");
        requireNonNull(root, "root");
        requireNonNull(namespace, "namespace");
    }
}
