# Exact power of two-proportion tests by enumeration, computed in R.
#
# For each design (n1, n2) and true shares (p1, p2), every outcome (k1, k2)
# is tested and the power is the total binomial probability
# dbinom(k1, n1, p1) * dbinom(k2, n2, p2) of the outcomes with p < alpha:
#   fisher      fisher.test
#   fisher_midp Fisher's two-sided p-value minus half the probability of the
#               observed table (dhyper)
#   z           prop.test(correct = FALSE) (the pooled z test = Pearson chi-square)
#   chi2_yates  chisq.test(correct = TRUE)
# Outcomes with an empty column margin (k1 + k2 = 0 or n1 + n2) are never
# significant (R's NaN, the package's p = 1).
#
# Writes tests/reference/power.csv.  Run:  Rscript tests/reference/r/power.R

args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
out <- file.path(dirname(here), "power.csv")

designs <- data.frame(
  n1 = c(106, 10, 24, 50, 200, 30, 12),
  n2 = c(24, 10, 24, 30, 150, 45, 7),
  p1 = c(0.30, 0.90, 0.63, 0.60, 0.40, 0.20, 0.75),
  p2 = c(0.13, 0.50, 0.30, 0.30, 0.28, 0.45, 0.10),
  alpha = c(0.05, 0.05, 0.05, 0.01, 0.05, 0.10, 0.05)
)

pvalues <- function(k1, n1, k2, n2) {
  x <- matrix(c(k1, k2, n1 - k1, n2 - k2), nrow = 2)
  m <- k1 + k2
  support <- max(0, m - n2):min(m, n1)
  d <- dhyper(support, m, n1 + n2 - m, n1)
  d_obs <- dhyper(k1, m, n1 + n2 - m, n1)
  fisher <- fisher.test(x)$p.value
  c(fisher = fisher,
    fisher_midp = sum(d[d <= d_obs * (1 + 1e-7)]) - 0.5 * d_obs,
    z = suppressWarnings(prop.test(c(k1, k2), c(n1, n2), correct = FALSE)$p.value),
    chi2_yates = suppressWarnings(chisq.test(x, correct = TRUE)$p.value))
}

rows <- list()
for (i in seq_len(nrow(designs))) {
  d <- designs[i, ]
  power <- c(fisher = 0, fisher_midp = 0, z = 0, chi2_yates = 0)
  for (k1 in 0:d$n1) for (k2 in 0:d$n2) {
    if (k1 + k2 == 0 || k1 + k2 == d$n1 + d$n2) next
    w <- dbinom(k1, d$n1, d$p1) * dbinom(k2, d$n2, d$p2)
    p <- pvalues(k1, d$n1, k2, d$n2)
    power <- power + w * (p < d$alpha)
  }
  for (test in names(power)) {
    rows[[length(rows) + 1]] <- data.frame(n1 = d$n1, n2 = d$n2, p1 = d$p1, p2 = d$p2, alpha = d$alpha,
                                           test = test, power = unname(power[test]))
  }
}
res <- do.call(rbind, rows)
res$power <- sprintf("%.17g", res$power)
con <- file(out, "w")
writeLines(paste0("# written by tests/reference/r/power.R with ", R.version.string), con)
write.csv(res, con, row.names = FALSE, quote = FALSE)
close(con)
cat("wrote", nrow(res), "rows to", out, "\n")
