using AgencyBot.Core.Conversations;
using AgencyBot.Core.Messaging;

namespace AgencyBot.Tests.Conversations;

public sealed class ResponseTimesTests
{
    [TestCase(new long[] { 60 }, 0.5, 60)]
    [TestCase(new long[] { 10, 20, 30, 40 }, 0.5, 25)]
    [TestCase(new long[] { 10, 20, 30, 40, 50, 60, 70, 80, 90, 100 }, 0.9, 91)]
    [TestCase(new long[] { 0, 900, 1800 }, 0.5, 900)]
    public void Percentile_InterpolatesBetweenClosestRanks(long[] sorted, double p, double expected) =>
        Assert.That(FirstAnswers.Percentile(sorted, p), Is.EqualTo(expected).Within(1e-9));

    [Test]
    public void Percentile_OfNothing_IsNull() => Assert.That(FirstAnswers.Percentile([], 0.5), Is.Null);

    [TestCase("hello", 10, new[] { "hello" })]
    [TestCase("aaaa bbbb cccc", 10, new[] { "aaaa bbbb ", "cccc" })]
    [TestCase("line one\nline two", 12, new[] { "line one\n", "line two" })]
    [TestCase("abcdefghijkl", 5, new[] { "abcde", "fghij", "kl" })]
    public void Split_KeepsEveryCharacter_WithinTheLimit(string text, int max, string[] expected) =>
        Assert.That(MessageContent.Split(text, max), Is.EqualTo(expected));

    [Test]
    public void Split_NeverCutsAnEmojiInHalf()
    {
        var text = string.Concat(Enumerable.Repeat("😀", 10)); // 20 UTF-16 units
        var parts = MessageContent.Split(text, 5);
        Assert.Multiple(() =>
        {
            Assert.That(string.Concat(parts), Is.EqualTo(text));
            Assert.That(parts.Select(p => char.IsHighSurrogate(p[^1])), Is.All.False);
        });
    }
}
