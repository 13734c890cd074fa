using AgencyBot.Core.Agency;
using AgencyBot.Core.Tasks;

namespace AgencyBot.Tests.Tasks;

public sealed class WorkingDaysTests
{
    private static readonly WorkingDays Days = new([new DateOnly(2026, 12, 25)]);

    [TestCase("2026-12-04", 0, "2026-12-04")] // Friday, day 0
    [TestCase("2026-12-04", 1, "2026-12-07")] // over the weekend
    [TestCase("2026-12-05", 0, "2026-12-07")] // a Saturday start begins on Monday
    [TestCase("2026-12-24", 1, "2026-12-28")] // skips the holiday and the weekend
    [TestCase("2026-12-01", 10, "2026-12-15")]
    public void Add_SkipsWeekendsAndHolidays(string start, int days, string expected) =>
        Assert.That(Days.Add(DateOnly.Parse(start), days), Is.EqualTo(DateOnly.Parse(expected)));

    [TestCase("2027-03-15", "2027-03-15")]
    [TestCase("15.03.2027", "2027-03-15")]
    [TestCase("15/3/2027", "2027-03-15")]
    [TestCase("15.03", "2027-03-15")]       // no year: the next 15 March
    [TestCase("20.11", "2027-11-20")]       // already past this year: next year
    [TestCase("tomorrow", "2026-12-01")]
    [TestCase("today", "2026-11-30")]
    [TestCase("+1", "2026-12-01")]
    public void DueDates_UnderstandHowStaffTypeThem(string text, string expected) =>
        Assert.That(DueDates.Parse(text, new DateOnly(2026, 11, 30), Days), Is.EqualTo(DateOnly.Parse(expected)));

    [TestCase("someday")]
    [TestCase("31.02")]
    [TestCase("2027-13-01")]
    [TestCase("+x")]
    public void DueDates_RefuseWhatIsNotADate(string text) =>
        Assert.That(DueDates.Parse(text, new DateOnly(2026, 11, 30), Days), Is.Null);

    [TestCase("#12", 12, null)]
    [TestCase("12", 12, null)]
    [TestCase("#12.3", 12, 3L)]
    public void TaskRef_ReadsTasksAndItems(string text, long task, long? item)
    {
        Assert.That(TaskRef.TryParse(text, out var t, out var i), Is.True);
        Assert.That((t, i), Is.EqualTo((task, item)));
    }

    [TestCase("#0")]
    [TestCase("abc")]
    [TestCase("#1.2.3")]
    [TestCase("#1.")]
    public void TaskRef_RefusesOthers(string text) => Assert.That(TaskRef.TryParse(text, out _, out _), Is.False);
}
