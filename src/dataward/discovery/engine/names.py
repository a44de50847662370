"""Load personal-name lists (US census lists of the ``names`` package) and name-related words."""

from __future__ import annotations

import threading
from functools import lru_cache
from importlib import resources

_LOCK = threading.Lock()


def wordset(text: str) -> frozenset[str]:
    """Return the whitespace-separated words of a text block as a set."""
    return frozenset(text.split())


#: Common South Asian and Filipino given names and surnames, weak in the US census lists.
EXTRA_FIRST = wordset(
    """Aarav Aditya Ajay Akash Amit Anil Anita Anjali Ankit Anand Arjun Aryan Ashok Deepak Deepika
    Dev Divya Gaurav Harish Isha Ishaan Kavita Kavya Kiran Krishna Lakshmi Manish Meera Mohan
    Neha Nikhil Pooja Pradeep Priya Rahul Raj Rajesh Rakesh Ramesh Ravi Rohan Rohit Sachin
    Sandeep Sanjay Sarita Shreya Sneha Sunil Sunita Suresh Swati Tanvi Varun Vijay Vikram Vinay
    Vivek Yash Zara Aditi Ananya Diya Ishita Kabir Reyansh Sai Vihaan Saanvi Myra Aadhya Advik
    Jericho Aljon Jayson Rommel Arnel Shiela Rhea Joanna Maricel Marites Rowena Jonalyn Analyn
    Jomar Reynaldo Rodel Ronaldo Lorna Nenita Erlinda Teresita Rogelio Danilo Jocelyn Mylene
    Charmaine Kristine Angelica Lourdes Paolo Camille Rhodora Siddharth Priyanka Abhishek Akshay
    Aparna Arvind Bhavna Chetan Harsh Jyoti Karthik Madhuri Naveen Nandini Pallavi Prakash Ritu
    Shweta Srinivas Vandana Venkat Liam Aiden Jayden Brayden Kayden Jaxon Grayson Isla Freya
    Niamh Aoife Saoirse Ciaran Oisin Callum Rhys Cerys Seren Eilidh Ffion Declan Eoin Sinead
    Chidi Ngozi Olusegun Adebayo Kwame Chinedu Oluwaseun Folake Tunde Emeka Yusuf Zainab
    Muhammad Hiroshi Kenji Yuki Haruto Minh Huong Thanh Jie Xin Hao Wei Jiayi Zhiwei Nevaeh
    Kristel Rhian Jhun Jhon Mikee Angeline Precious Rechelle Aileen Jennylyn Marvin Ariel"""
)
EXTRA_LAST = wordset(
    """Sharma Patel Singh Kumar Gupta Reddy Iyer Iyengar Nair Rao Das Mehta Joshi Shah Chopra
    Kapoor Malhotra Bhat Menon Pillai Banerjee Chatterjee Mukherjee Ghosh Bose Sen Verma Agarwal
    Mishra Pandey Yadav Jain Saxena Khan Thakur Chauhan Desai Kulkarni Naidu Chaudhary Bhatt
    Trivedi Dubey Tiwari Srinivasan Krishnan Subramanian Venkatesh Raghunathan Ganguly Dutta
    Sinha Kaur Gill Sandhu Dhillon Grewal Sethi Arora Bajwa Goswami Hegde Shetty Kamath
    Santos Reyes Cruz Bautista Ocampo Garcia Mendoza Torres Villanueva Ramos Castillo Flores
    Aquino Navarro Salazar Mercado Domingo Gonzales Dizon Pascual Manalo Soriano Lacson
    Tolentino Dela Delos Macaraeg Magbanua Lim Tan Sy Go Panganiban Dimaculangan Mangubat
    Okafor Okonkwo Adeyemi Adebayo Eze Obi Nwosu Balogun Ogunleye Mensah Nguyen Tran Pham
    Siddiqui Qureshi Hussain Begum Chowdhury Rahman Ahmed Akhtar Iqbal Mahmood Nwachukwu
    Macapagal Sarmiento Evangelista Gatchalian Buenaventura Lacsamana Maglaya Dimagiba"""
)
#: Hand-written common given names by region (Indian, Filipino, Nigerian and Ghanaian/Kenyan,
#: Vietnamese, Chinese), weak or missing in the US census lists. Everyday English words left out.
WORLD_FIRST = wordset(
    """Aakash Aanya Abhinav Akshara Alok Amar Amita Amrita Anirudh Anjana Ankita Anupam Anurag
    Archana Arnav Arun Aruna Asha Ashwin Atul Ayaan Ayesha Bharat Bhavesh Chitra Darshan Dhruv
    Dinesh Disha Gautam Geeta Girish Gita Govind Harjeet Harpreet Hemal Hemant Himanshu Indira
    Jagdish Jaspreet Jatin Jayant Kajal Kamala Kapil Karan Kartik Kishore Komal Krish Kunal
    Lalit Madhav Mahesh Manoj Manpreet Meena Mihir Mukesh Nalini Namita Narendra Navjot Navya
    Neelam Nikita Nisha Nitin Omkar Pankaj Parth Pavan Poonam Pranav Preeti Prerna Puja Rachna
    Radha Raghav Rajiv Ranjit Rashmi Rekha Ritika Riya Rupal Sahil Sameer Sangeeta Sanjana
    Santosh Sarika Shalini Shankar Shanti Shilpa Shivani Shubham Simran Smita Sonal Subhash
    Sudha Sumit Suraj Sushil Tarun Tejas Uday Vaishali Vasant Vidya Vikas Vinod Vishal Yamini
    Yogesh Farhan Imran Irfan Javed Nadeem Salman Shahid Faisal Zoya Rehan Tariq Gurpreet
    Rodelio Ramil Efren Jhoanna Rodrigo Romeo Rolando Renato Rogelio Jerome Bernardo Imelda
    Corazon Liza Vilma Marilou Maribel Marissa Rosalie Remedios Leonora Luzviminda Perlita
    Editha Estrella Felicidad Josefina Milagros Norma Ofelia Rosalinda Zenaida Ailyn Jhun
    Junjun Boyet Jojo Jomar Jerwin Arvin Erwin Rowell Reymart Krizia Sheryl Sharmaine Angelu
    Jonalyn Marites Maricel Rechelle Jennylyn Lorenzo Nestor Wilfredo Teodoro Ernesto Arnulfo
    Adaeze Adaobi Adebola Adekunle Adeola Adewale Akin Amaka Amara Ayodele Babajide Bisi Bolaji
    Chiamaka Chidinma Chika Chinonso Chioma Chukwuemeka Chukwudi Damilola Ebere Ebuka Ejike
    Femi Funke Funmilayo Ifeanyi Ifeoma Ikenna Kayode Kehinde Lanre Nkechi Nnamdi Obinna Ogechi
    Olamide Olawale Olufemi Olumide Oluwatobi Segun Seun Simisola Taiwo Temitope Tobi Tochukwu
    Tolu Uche Uchenna Yemi Yetunde Aminu Hauwa Halima Bukola Abubakar Baraka Wanjiru Njeri
    Akinyi Wambui Kofi Kwabena Kwesi Akosua Abena Adwoa Yaw Efua
    Quoc Duc Hieu Hoa Huong Khanh Linh Ngoc Nhung Phuong Quang Quynh Thao Thuy Trang Trung Tuan
    Tung Vinh Xuan Hanh Chau Diep Giang Hoai Huy Khoa Loan Oanh Phuc Thinh Uyen Thu
    Fang Jie Jing Jun Lei Ling Mei Qiang Qing Rui Xia Xiu Ying Yong Yun Zhen Zhi Jian Jiayi
    Lihua Xiuying Xiaoming Yuxuan Haoran Zihan Yichen Junjie Jiahui Meiling Wenjie"""
)
#: Hand-written common surnames by region (same groups as ``WORLD_FIRST``).
WORLD_LAST = wordset(
    """Agrawal Ahuja Bhardwaj Bhattacharya Chandran Chawla Deshpande Dixit Goel Gowda Jha Kashyap
    Khanna Kohli Krishnamurthy Mahajan Mathur Nayak Narayanan Pandit Parikh Rathore Rajput
    Ranganathan Sahni Sarkar Shukla Srivastava Tandon Thakkar Upadhyay Vaidya Venkatesan Vora
    Walia Bhatia Chaturvedi Gokhale Naik Pawar Patil Shinde Jadhav Chavan Sawant Apte Basu
    Mitra Chakraborty Mondal Saha Ansari Sheikh Shaikh Syed Mirza Pathan Kazi Khatri Rawat
    Negi Bisht Thapa Randhawa Brar Sidhu Nambiar Kurup Varghese Kurian Chacko Varma Raju Prasad
    Murthy Narayan Ramakrishnan Swaminathan Sundaram Natarajan Rajan Ramachandran Chandra
    Andrada Castro Rivera Gutierrez Manalastas Galang Santiago Cabrera Aguilar Agustin Abad
    Abella Alcantara Aragon Bayani Belmonte Cabral Calderon Canlas Carandang Catapang
    Cayabyab Cortez Dantes Dimaano Enriquez Espiritu Esguerra Fajardo Gatdula Guevarra Ignacio
    Lagman Lapid Lazaro Legaspi Mabini Macalintal Magsaysay Malonzo Manansala Natividad
    Nepomuceno Pacheco Padilla Quiambao Quiazon Quijano Quinto Samson Sison Tiongson Valdez
    Valenzuela Velasco Villafuerte Villareal Yap Zamora Zapanta Delacruz Mangubat
    Adeleke Adeyinka Afolabi Ajayi Akande Akinola Alabi Babatunde Bakare Ezeh Fashola Ibekwe
    Igwe Nnadi Nwankwo Odili Ogbonna Ogundipe Okeke Okoro Okoye Olaniyan Onyeka Osei Owusu
    Boateng Asante Agyeman Mwangi Kamau Otieno Ochieng Wanjiku Kariuki Njoroge Odhiambo
    Kimani Mutua Uzor Chukwu Obiora Anyanwu Ekwueme Nwaogu Ugwu Olatunji Fagbemi Oyewole
    Huynh Phan Dang Bui Ngo Duong Trinh Dinh Truong Luong Quach
    Wang Zhang Liu Chen Yang Huang Zhao Zhou Xu Zhu Guo Gao Luo Zheng Liang Xie Deng Peng
    Zeng Xiao Yuan Cai Jiang Cheng Cui Zhong Shen Wong Chan Cheung Leung Lau Chua Goh Ong Koh
    Teo Yeo Tay Quek"""
)
#: Cities and regions that read like names when alone on a line or in parentheses.
PLACES = wordset(
    """bengaluru bangalore mumbai delhi kolkata chennai hyderabad pune ahmedabad jaipur lucknow
    kochi noida gurgaon gurugram chandigarh makati manila quezon cebu davao pasig taguig
    mandaluyong paranaque caloocan cavite laguna bulacan pampanga iloilo baguio lagos abuja
    ibadan nairobi accra hanoi saigon nang danang haiphong beijing shanghai shenzhen guangzhou
    singapore dubai london manchester birmingham leeds glasgow edinburgh cardiff belfast"""
)
HONORIFICS = wordset(
    "mr mrs ms miss mx dr prof sir dame madam shri sri smt kumari mister atty engr"
)
#: Capitalised words that are not names even when a census list has them.
STOP = wordset(
    """a an the and or of to for in on at by with from as is it this that i we you he she they
    my your our his her their me us mr mrs ms dr hi hello dear thanks thank regards kind best
    cheers sincerely yours warm team all sir madam customer customers caller client agent member
    patient subscriber cardholder service services support care desk department team lead
    manager supervisor account accounts bank card cards credit debit number no name names first
    last full date birth address street road lane avenue city state country email phone mobile
    contact office home work new old north south east west port lake mount fort saint st ltd
    inc llc plc corp co company group limited holdings solutions partners health insurance
    mobile utilities plan premier rewards unlimited cover saver everyday flexpay instalments
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday today tomorrow yesterday
    morning afternoon evening note notes call calls chat ticket case order invoice payment
    refund claim policy loan id kyc pan nhs nino ssn sss tin iban dob ip api aws sms otp pin atm
    verified confirmed please yes no ok okay not never also still just only per re fwd fw
    subject sent cc bcc original message reviewed checker approved source occupation
    residential application submitted institution individual opening onboarding form status
    open pending solved closed high low medium urgent priority billing fraud collections
    recovery claims complaint dispute hardship debtor borrower claimant witness adjuster
    handler owner reference ref debit direct standing amount balance total due past
    visitor guest user admin system bot auto info warn error debug true false null none
    god christmas easter aadhaar studio flat apartment apt suite unit room floor building house
    residences tower usns uss psc box let summary started content type mime version sorry
    welcome good great happy yes else after before when where what who why how which then than
    can could would should shall must might our via per deploy release build version private
    key sftp server database password secret token executive officer consultant specialist
    analyst associate cardiologist surgeon surgery practice cell acquisition helpdesk talent
    grievance nodal income tax pay net gross basic list sheet information contribution
    candidate reporter requester dependent"""
)  # fmt: skip
#: Given names that are also everyday words: names only next to another name or a strong cue.
AMBIGUOUS = wordset(
    """may june april august mark grace hope faith joy chase penny rose summer autumn winter
    dawn sunny will bill art bob sky river hunter page rich victor"""
)
#: First tokens that make a capitalised run a place ("West Sarah", "Port Jamesfurt").
PLACE_LEAD = wordset(
    "north south east west new port lake mount fort saint st san santa los las el upper lower"
    " great little old"
)
#: Last tokens of street names: a run ending so is a person only with a cue and a given name.
STREET_LAST = wordset(
    """street st road rd lane ln avenue ave boulevard blvd drive dr court ct place pl square sq
    way close crescent terrace gardens park parkway hill hills view village town city valley
    heights mall plaza center centre station bridge crossing junction ridge trail circle loop
    nagar marg chowk colony bagh puram pur abad ganj extension enclave sector block phase
    barangay brgy subdivision subd homes estate estates route cove coves locks haven manors
    manor mill mills harbor harbour bypass residences"""
)
#: Last tokens that make a capitalised run a company or product rather than a person.
NOT_PERSON_LAST = wordset(
    """inc ltd llc plc corp co
    company group bank services solutions partners health insurance mobile utilities card plan
    account cover saver team desk department office hospital clinic school university college
    airport hotel store shop cafe restaurant systems technologies software labs networks
    limited holdings international global to by for from of and"""
) | PLACES  # fmt: skip


@lru_cache(maxsize=1)
def _lists() -> tuple[frozenset[str], dict[str, int]]:
    """Read the census first-name and surname lists once (names are lower-cased)."""
    with _LOCK:
        folder = resources.files("names")
        first: set[str] = set()
        for name in ("dist.female.first", "dist.male.first"):
            for line in folder.joinpath(name).read_text("ascii").splitlines():
                if line:
                    first.add(line.split()[0].lower())
        last: dict[str, int] = {}
        for line in folder.joinpath("dist.all.last").read_text("ascii").splitlines():
            parts = line.split()
            if parts:
                last[parts[0].lower()] = int(parts[3])
        first.update(n.lower() for n in EXTRA_FIRST | WORLD_FIRST)
        for n in EXTRA_LAST | WORLD_LAST:
            last[n.lower()] = 1
        first |= AMBIGUOUS
        return frozenset(first - STOP), last


@lru_cache(maxsize=1)
def known() -> frozenset[str]:
    """Return lower-cased given names and common surnames that are not everyday words."""
    first, last = _lists()
    common = {name for name, rank in last.items() if rank <= 40_000}
    return frozenset((first | common) - AMBIGUOUS - STOP)


def is_first(token: str) -> bool:
    """Return whether a lower-cased token is a known given name."""
    return token in _lists()[0]


def last_rank(token: str) -> int:
    """Return a lower-cased token's surname frequency rank (1 is commonest; 0 if unknown)."""
    return _lists()[1].get(token, 0)


def is_last(token: str, top: int = 40_000) -> bool:
    """Return whether a lower-cased token is among the ``top`` commonest surnames."""
    return 0 < _lists()[1].get(token, 0) <= top
