using AgencyBot.Core.Projects;
using ScottPlot;

namespace AgencyBot.Core.Digest;

/// <summary>The digest's picture: account-management overhead per project against the target line.</summary>
public static class DigestChart
{
    public const int MaxBars = 30;

    public static byte[] Png(Overhead month)
    {
        // Telegram refuses photos wider than 20:1 (or over 10,000 px across): the 30 highest overheads make the picture.
        var projects = month.Projects.Where(p => p.OverheadPercent is not null).OrderByDescending(p => p.OverheadPercent).Take(MaxBars).ToList();
        var plot = new Plot();
        var bars = projects.Select((p, i) => new Bar
        {
            Position = i,
            Value = p.OverheadPercent!.Value,
            FillColor = p.OverTarget ? Colors.OrangeRed : Colors.SeaGreen,
        }).ToList();
        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks(
            Enumerable.Range(0, projects.Count).Select(i => (double)i).ToArray(),
            projects.Select(p => Short(ProjectLabel.Of(p.Client, p.Project))).ToArray());
        var target = plot.Add.HorizontalLine(month.TargetPercent);
        target.LinePattern = LinePattern.Dashed;
        target.Color = Colors.Red;
        target.LegendText = $"target {month.TargetPercent:0.#}%";
        plot.Title($"Account management, % of project hours ({month.From:d MMM}–{month.To.AddDays(-1):d MMM})" +
            (month.Projects.Count(p => p.OverheadPercent is not null) > MaxBars ? $", the {MaxBars} highest" : ""));
        plot.YLabel("% of hours");
        plot.Axes.Margins(bottom: 0);
        plot.Axes.SetLimitsY(0, Math.Max(month.TargetPercent * 2, bars.Select(b => b.Value).DefaultIfEmpty(0).Max() * 1.15));
        plot.ShowLegend(Alignment.UpperRight);
        return plot.GetImageBytes(Math.Max(600, 60 * projects.Count + 200), 500, ImageFormat.Png);
    }

    private static string Short(string label) => label.Length <= 24 ? label : label[..23] + "…";
}
