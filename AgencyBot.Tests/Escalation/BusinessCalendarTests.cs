using AgencyBot.Core.Agency;

namespace AgencyBot.Tests.Escalation;

public sealed class BusinessCalendarTests
{
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
    private static readonly BusinessCalendar Office = new("Mon-Fri 09:00-18:00", Paris, [new DateOnly(2026, 12, 25)]);

    private static DateTimeOffset At(string local) =>
        new(DateTime.Parse(local, System.Globalization.CultureInfo.InvariantCulture), Paris.GetUtcOffset(DateTime.Parse(local, System.Globalization.CultureInfo.InvariantCulture)));

    [TestCase("2026-12-04 17:55", "2026-12-07 09:05", 10)]   // Friday evening to Monday morning
    [TestCase("2026-12-24 17:55", "2026-12-28 09:05", 10)]   // over Christmas Day (a Friday) and the weekend
    [TestCase("2027-03-26 17:55", "2027-03-29 09:05", 10)]   // over the weekend the clocks go forward
    [TestCase("2026-12-05 10:00", "2026-12-06 10:00", 0)]    // all weekend
    [TestCase("2026-12-07 08:00", "2026-12-07 19:00", 540)]  // a whole working day
    public void BusinessTime_CountsOnlyOpeningHours(string from, string to, int minutes) =>
        Assert.That(Office.BusinessTime(At(from), At(to)), Is.EqualTo(TimeSpan.FromMinutes(minutes)));

    [Test]
    public void AddBusinessTime_AcrossTheSpringForwardWeekend_LandsOnMondayInSummerTime()
    {
        var due = Office.AddBusinessTime(At("2027-03-26 17:55"), TimeSpan.FromMinutes(10));

        Assert.That(due.UtcDateTime, Is.EqualTo(new DateTime(2027, 3, 29, 7, 5, 0, DateTimeKind.Utc)), "09:05 CEST is 07:05 UTC");
    }

    [Test]
    public void BusinessTime_WithinTheNightTheClocksGoForward_LeavesOutTheSkippedHour()
    {
        var night = new BusinessCalendar("Sun 01:00-04:00", Paris, []);
        var from = new DateTimeOffset(2027, 3, 28, 0, 0, 0, TimeSpan.Zero); // 01:00 CET
        var to = new DateTimeOffset(2027, 3, 28, 2, 0, 0, TimeSpan.Zero);   // 04:00 CEST

        Assert.That(night.BusinessTime(from, to), Is.EqualTo(TimeSpan.FromHours(2)));
    }

    [Test]
    public void NextOpening_IsMondayMorning_OnASaturday() =>
        Assert.That(Office.NextOpening(At("2026-12-05 11:00")), Is.EqualTo(At("2026-12-07 09:00")));

    [Test]
    public void EmptyHours_MeanAlwaysOpen()
    {
        var always = new BusinessCalendar("", Paris, []);
        Assert.Multiple(() =>
        {
            Assert.That(always.IsOpen(At("2026-12-06 03:00")), Is.True);
            Assert.That(always.BusinessTime(At("2026-12-05 10:00"), At("2026-12-06 10:00")), Is.EqualTo(TimeSpan.FromDays(1)));
        });
    }

    [TestCase("Mon-Fri 9-18")]
    [TestCase("Weekdays 09:00-18:00")]
    [TestCase("Mon-Fri 18:00-09:00")]
    [TestCase("Mon-Fri 09:00-18:00; Sat")]
    [TestCase("Mon-Fri 09:00-18:00; Mon 08:00-10:00")]
    public void MalformedHours_AreNamedAsAProblem(string hours) => Assert.That(BusinessCalendar.Problem(hours), Is.Not.Null);

    [TestCase(";")]
    [TestCase(" ; ")]
    [TestCase(";;")]
    [TestCase("; ;\t;")]
    public void HoursThatNameNoOpening_AreAProblem_RatherThanNeverOpen(string hours) =>
        Assert.That(BusinessCalendar.Problem(hours), Does.Contain("no opening hours"));

    [TestCase("Mon-Fri 09:00-18:00")]
    [TestCase("Mon-Thu 09:00-18:00; Fri 09:00-16:00")]
    [TestCase("")]
    [TestCase("   ")]
    public void WellFormedHours_AreAccepted(string hours) => Assert.That(BusinessCalendar.Problem(hours), Is.Null);
}
