# A stand-in for Homebrew's cask DSL, for the tests: it evaluates a cask
# as Homebrew does, on an Apple silicon Mac (CPU=arm) or an Intel one
# (CPU=intel), and prints each stanza's value as JSON. Any interpolation
# that ran, or any stanza it does not know, shows in its output or fails.
require "json"

class CaskStub
  attr_reader :out

  def initialize(cpu)
    @cpu = cpu
    @out = {}
  end

  def arch(arm: nil, intel: nil)
    return(@cpu == "arm" ? @arch[:arm] : @arch[:intel]) if arm.nil? && intel.nil?

    @arch = { arm: arm, intel: intel }
    nil
  end

  def version(v = nil)
    return @out["version"] if v.nil?

    @out["version"] = v
  end

  def sha256(v = nil, arm: nil, intel: nil)
    @out["sha256"] = v || (@cpu == "arm" ? arm : intel)
  end

  %w[url name desc homepage app].each do |m|
    define_method(m) { |v| @out[m] = v }
  end

  def binary(v, target:)
    @out["binary"] = v
    @out["target"] = target
  end

  def depends_on(**kw)
    (@out["depends_on"] ||= []) << kw.transform_values(&:to_s)
  end
end

def cask(token, &blk)
  s = CaskStub.new(ENV.fetch("CPU"))
  s.instance_eval(&blk)
  puts JSON.generate(s.out.merge("token" => token))
end

load ARGV[0]
