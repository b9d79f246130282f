module "vpc_v" {
  source = "git::https://github.com/acme/terraform-aws-vpc.git?ref=v1.2.0"
  name   = "with-v"
}

module "vpc_plain" {
  source = "git::ssh://git@github.com/acme/terraform-aws-vpc.git//modules/core?ref=1.2.0"
  name   = "plain" # no v prefix
}

module "vpc_monorepo" {
  # tags like vpc/v1.2.3 in a monorepo of modules
  source = "github.com/acme/terraform-modules//vpc?ref=vpc/v1.2.0&depth=1"
}

module "vpc_branch" {
  source = "git::https://github.com/acme/terraform-aws-vpc.git?ref=main"
}

module "local" {
  source = "./modules/local"
}
