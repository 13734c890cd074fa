using AgencyBot.Core.Agency;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Conversations;

/// <summary>The times /later understands, in the agency's zone (Paris), from Monday 7 December 2026 at 10:00.</summary>
public sealed class SendTimesTests
{
    private static readonly BusinessCalendar Calendar = new("Mon-Fri 09:00-18:00", TimeZoneInfo.FindSystemTimeZoneById(Paris.Zone), []);
    private static readonly DateTimeOffset Now = Paris.At(2026, 12, 7, 10, 0);

    [TestCase("+2h Hello", 2026, 12, 7, 12, 0, 1)]
    [TestCase("+30m", 2026, 12, 7, 10, 30, 1)]
    [TestCase("+1d x", 2026, 12, 8, 10, 0, 1)]
    [TestCase("11:30 x", 2026, 12, 7, 11, 30, 1)]
    [TestCase("09:00 x", 2026, 12, 8, 9, 0, 1)]          // passed today: tomorrow
    [TestCase("tomorrow 9:00 x", 2026, 12, 8, 9, 0, 2)]
    [TestCase("demain 9h30 x", 2026, 12, 8, 9, 30, 2)]
    [TestCase("mon 09:00 x", 2026, 12, 14, 9, 0, 2)]     // the next Monday, not today
    [TestCase("vendredi 17:00 x", 2026, 12, 11, 17, 0, 2)]
    [TestCase("15.12 10:00 x", 2026, 12, 15, 10, 0, 2)]
    [TestCase("2027-01-04 08:15 x", 2027, 1, 4, 8, 15, 2)]
    public void ATimeAsStaffTypeIt_IsTheMomentTheyMean(string text, int year, int month, int day, int hour, int minute, int words) =>
        Assert.That(SendTimes.Parse(text, Now, Calendar), Is.EqualTo((Paris.At(year, month, day, hour, minute), words)));

    [Test]
    public void Opening_IsWhenTheTeamIsNextAtWork() =>
        Assert.That(SendTimes.Parse("opening x", Paris.At(2026, 12, 11, 19, 0), Calendar), Is.EqualTo((Paris.At(2026, 12, 14, 9, 0), 1)));

    [TestCase("someday x")]
    [TestCase("+0h x")]
    [TestCase("+2y x")]
    [TestCase("mon x")]
    [TestCase("")]
    public void Anything_Else_IsNoTime(string text) => Assert.That(SendTimes.Parse(text, Now, Calendar), Is.Null);
}
