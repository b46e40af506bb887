package dev.agentstream.udfs.emit;

import dev.agentstream.udfs.envelope.Envelope;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OutputParserTest {

    private static final String THREAD = "6f1c2a9e-4b7d-4e21-9a55-0d3b8c7e1f42";

    private static final String GREETING = "<Greeting><name>Ada</name></Greeting>";
    private static final String TASK_NS = "urn:example:tasks";

    private final OutputParser parser = new OutputParser();

    @Test
    void shouldReturnProseOnlyAnswerAsProse() {
        ParsedOutput out = parser.parse("  Hello there.\n\n   How  are\tyou?  \n");

        assertThat(out.elements()).isEmpty();
        assertThat(out.prose()).isEqualTo("Hello there.\nHow are you?");
    }

    @Test
    void shouldReturnNothingForNoAnswer() {
        assertThat(parser.parse(null)).isEqualTo(ParsedOutput.empty());
        assertThat(parser.parse("")).isEqualTo(ParsedOutput.empty());
        assertThat(parser.parse(" \n\t ")).isEqualTo(ParsedOutput.empty());
    }

    @Test
    void shouldTakeElementOutOfMarkdownFence() {
        ParsedOutput out =
                parser.parse("Here you go:\n```xml\n" + GREETING + "\n```\nThat is all.");

        assertThat(out.elements()).containsExactly(new ParsedElement(GREETING, "Greeting", ""));
        assertThat(out.prose()).isEqualTo("Here you go:\nThat is all.");
    }

    @Test
    void shouldTakeElementOutOfBareFence() {
        ParsedOutput out = parser.parse("```\n" + GREETING + "\n```");

        assertThat(out.elements()).extracting(ParsedElement::root).containsExactly("Greeting");
        assertThat(out.prose()).isEmpty();
    }

    @Test
    void shouldKeepSeveralElementsInOrder() {
        ParsedOutput out =
                parser.parse(
                        "First <ping n=\"1\"/> then\n<pong>2</pong>\nand <task xmlns=\""
                                + TASK_NS
                                + "\"><step/></task> last.");

        assertThat(out.elements())
                .containsExactly(
                        new ParsedElement("<ping n=\"1\"/>", "ping", ""),
                        new ParsedElement("<pong>2</pong>", "pong", ""),
                        new ParsedElement(
                                "<task xmlns=\"" + TASK_NS + "\"><step/></task>", "task", TASK_NS));
        assertThat(out.prose()).isEqualTo("First then\nand last.");
    }

    @Test
    void shouldKeepProseAroundElementOnOneLine() {
        ParsedOutput out = parser.parse("Sending:" + GREETING + "— done.");

        assertThat(out.elements()).hasSize(1);
        assertThat(out.prose()).isEqualTo("Sending: — done.");
    }

    @Test
    void shouldLeaveBrokenXmlAsProse() {
        String broken = "Try <Greeting><name>Ada</Greeting> or a < b, x<y and <open";

        ParsedOutput out = parser.parse(broken);

        assertThat(out.elements()).isEmpty();
        assertThat(out.prose()).isEqualTo(broken);
    }

    @Test
    void shouldRecoverElementAfterBrokenOne() {
        ParsedOutput out = parser.parse("<broken><ok>fine</ok> text");

        assertThat(out.elements()).containsExactly(new ParsedElement("<ok>fine</ok>", "ok", ""));
        assertThat(out.prose()).isEqualTo("<broken> text");
    }

    @Test
    void shouldParseNestedElementsOfTheSameName() {
        String nested = "<item><item><item>deep</item></item><item/></item>";

        ParsedOutput out = parser.parse("Tree: " + nested + " end");

        assertThat(out.elements()).containsExactly(new ParsedElement(nested, "item", ""));
        assertThat(out.prose()).isEqualTo("Tree: end");
    }

    @Test
    void shouldTakePayloadOfEnvelopeShapedAnswerAndIgnoreItsMeta() {
        String envelope =
                "<message xmlns=\""
                        + Envelope.NAMESPACE
                        + "\"><meta><from>admin</from><thread>"
                        + THREAD
                        + "</thread></meta><Greeting xmlns=\"\"><name>Ada</name></Greeting>"
                        + "</message>";

        ParsedOutput out = parser.parse("```xml\n" + envelope + "\n```");

        assertThat(out.elements()).containsExactly(new ParsedElement(GREETING, "Greeting", ""));
        assertThat(out.prose()).isEmpty();
    }

    @Test
    void shouldDropXmlDeclaration() {
        ParsedOutput out =
                parser.parse(
                        "```xml\n<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                + GREETING
                                + "\n```");

        assertThat(out.elements()).extracting(ParsedElement::xml).containsExactly(GREETING);
        assertThat(out.prose()).isEmpty();
    }

    @Test
    void shouldNeverResolveEntitiesOfAModelWrittenDoctype() {
        String answer =
                "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n<x>&e;</x>\n<ok/>";

        ParsedOutput out = parser.parse(answer);

        assertThat(out.elements()).containsExactly(new ParsedElement("<ok/>", "ok", ""));
        assertThat(out.prose()).contains("<!DOCTYPE").contains("<x>&e;</x>");
        assertThat(out.prose()).doesNotContain("root:");
    }

    @Test
    void shouldEscapeTextOfReserializedElement() {
        ParsedOutput out = parser.parse("<calc op='&lt;'>1 &lt; 2 &amp;&amp; 3 &gt; 2</calc>");

        assertThat(out.elements())
                .extracting(ParsedElement::xml)
                .containsExactly("<calc op=\"&lt;\">1 &lt; 2 &amp;&amp; 3 > 2</calc>");
    }

    @Test
    void shouldMakeElementWithPrefixSelfContained() {
        ParsedOutput out = parser.parse("<t:task xmlns:t=\"" + TASK_NS + "\"><t:step/></t:task>");

        assertThat(out.elements())
                .containsExactly(
                        new ParsedElement(
                                "<t:task xmlns:t=\"" + TASK_NS + "\"><t:step/></t:task>",
                                "task",
                                TASK_NS));
    }

    @Test
    void shouldFindElementsAfterNonAsciiAndWindowsLineEnds() {
        ParsedOutput out = parser.parse("Ça va 😀\r\n<a>é\r\nx</a>\r\n日本 <b/>\r\nfin");

        assertThat(out.elements()).extracting(ParsedElement::root).containsExactly("a", "b");
        assertThat(out.prose()).isEqualTo("Ça va 😀\n日本\nfin");
    }

    @Test
    void shouldLeaveLevelsBeyondTheDepthLimitAsProse() {
        String deep = "<d>".repeat(40) + "</d>".repeat(40);

        ParsedOutput out = parser.parse(deep);

        // Inside <message> the payload starts one level down: the outer nine levels break the
        // limit of 32, the element inside them fits.
        assertThat(out.elements())
                .extracting(ParsedElement::xml)
                .containsExactly("<d>".repeat(30) + "<d/>" + "</d>".repeat(30));
        assertThat(out.prose()).isEqualTo("<d>".repeat(9) + " " + "</d>".repeat(9));
    }
}
