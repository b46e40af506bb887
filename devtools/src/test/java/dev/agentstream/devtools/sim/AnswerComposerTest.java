package dev.agentstream.devtools.sim;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The answer rules of the simulator, without HTTP. */
class AnswerComposerTest {

    private static final String PEERS =
            "Intro line.\r\n"
                    + "- not a peer line\r\n"
                    + "- shouter: Shouts. Accepts <Shout>.\r\n"
                    + "- echo: Echoes. Accepts <Echo>.\r\n";

    @Test
    void shouldFindTheFirstPeerLineEvenWithCrLf() {
        assertThat(AnswerComposer.firstPeer(List.of(system(PEERS))))
                .contains(new AnswerComposer.Peer("shouter", "Shout"));
    }

    @Test
    void shouldOnlyReadPeersFromTheSystemPrompt() {
        List<ChatMessage> messages =
                List.of(system("No peers."), user("- shouter: Shouts. Accepts <Shout>."));

        assertThat(AnswerComposer.firstPeer(messages)).isEmpty();
        assertThat(AnswerComposer.answer(messages)).startsWith("I received \"- shouter");
    }

    @Test
    void shouldQuoteTheLastUserMessage() {
        List<ChatMessage> messages =
                List.of(
                        system(PEERS),
                        user("<Greeting><name>Old</name></Greeting>"),
                        new ChatMessage("assistant", "<Shout>OLD</Shout>"),
                        user("<Greeting>\n  <first>Ada</first>\n  <last>King</last>\n</Greeting>"));

        assertThat(AnswerComposer.answer(messages))
                .isEqualTo(
                        "<Shout><message>Hello, Ada King! Greetings received.</message></Shout>");
    }

    @Test
    void shouldReportARepliedAnswerOrAnErrorInProseInsteadOfCallingAgain() {
        String reply = "<reply xmlns=\"https://agentstream.dev/ns/v1\">HELLO ADA</reply>";
        String huh =
                "<huh xmlns=\"https://xml-pipeline.org/system\"><message>too deep</message></huh>";

        assertThat(AnswerComposer.answer(List.of(system(PEERS), user(reply))))
                .isEqualTo("Here is what came back: HELLO ADA.");
        assertThat(AnswerComposer.answer(List.of(system(PEERS), user(huh))))
                .isEqualTo("Here is what came back: too deep.");
    }

    @Test
    void shouldReduceXmlToItsText() {
        assertThat(
                        XmlText.textContent(
                                "<?xml version=\"1.0\"?><a><!-- note --><b>x &#65;&#x42;"
                                        + "&unknown;</b><![CDATA[<raw> & ]]></a>"))
                .isEqualTo("x AB&unknown; <raw> &");
    }

    @Test
    void shouldShortenLongTextAndGreetEmptyPayloads() {
        String longName = "n".repeat(500);

        String answer = AnswerComposer.answer(List.of(system(PEERS), user(longName)));
        String empty = AnswerComposer.answer(List.of(system(PEERS), user("<Ping/>")));

        assertThat(answer).contains("n".repeat(200) + "...!").doesNotContain("n".repeat(201));
        assertThat(empty).isEqualTo("<Shout><message>Hello! Greetings received.</message></Shout>");
    }

    private static ChatMessage system(String content) {
        return new ChatMessage(ChatMessage.SYSTEM, content);
    }

    private static ChatMessage user(String content) {
        return new ChatMessage(ChatMessage.USER, content);
    }
}
