using ScottPlot;

namespace AgencyBot.Core.Digest;

/// <summary>The digest's picture: each project's account-management overhead week by week over the last four weeks,
/// against the target line.</summary>
public static class DigestChart
{
    /// <summary>More lines than this are unreadable: the projects highest last week make the picture.</summary>
    public const int MaxLines = 8;

    public static byte[] Png(IReadOnlyList<Trend> trend, DateOnly today, double targetPercent)
    {
        var weeks = trend.Count == 0 ? 4 : trend.Max(t => t.WeeklyPercent.Count);
        var shown = trend.OrderByDescending(t => t.WeeklyPercent.LastOrDefault(p => p is not null) ?? -1).Take(MaxLines).ToList();
        var plot = new Plot();
        var xs = Enumerable.Range(0, weeks).Select(i => (double)i).ToArray();
        foreach (var project in shown)
        {
            // A week without a basis is a gap in the line, not a zero.
            var ys = project.WeeklyPercent.Select(p => p ?? double.NaN).ToArray();
            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = Short(project.Label);
            line.LineWidth = 2;
            line.MarkerSize = 7;
        }
        plot.Axes.Bottom.SetTicks(xs, xs.Select(i => $"{today.AddDays(-7 * (weeks - (int)i)):d MMM}").ToArray());
        var target = plot.Add.HorizontalLine(targetPercent);
        target.LinePattern = LinePattern.Dashed;
        target.Color = Colors.Red;
        target.LegendText = $"target {targetPercent:0.#}%";
        plot.Title("Account management, % of project hours, week by week" + (trend.Count > MaxLines ? $" ({MaxLines} highest of {trend.Count})" : ""));
        plot.YLabel("% of hours");
        plot.XLabel("week starting");
        var highest = shown.SelectMany(t => t.WeeklyPercent).Where(p => p is not null).Select(p => p!.Value).DefaultIfEmpty(0).Max();
        // Headroom above the highest line for the legend.
        plot.Axes.SetLimits(-0.3, weeks - 0.7, 0, Math.Max(targetPercent * 2, highest * 1.4));
        plot.ShowLegend(Alignment.UpperLeft);
        return plot.GetImageBytes(900, 500, ImageFormat.Png);
    }

    private static string Short(string label) => label.Length <= 32 ? label : label[..31] + "…";
}
